package discovery_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/memory"
)

func TestKeeperStopsWhenDeletedOnPurpose(t *testing.T) {
	s := memory.NewStore()
	c := s.Conn()
	defer c.Close()
	removed := make(chan struct{})
	k := &discovery.Keeper{Conn: c, Log: zaptest.NewLogger(t),
		Register: func(ctx context.Context) (string, error) {
			return c.Create(ctx, "/ns/serverUri=h:1;version=1;sequence=", nil, discovery.EphemeralSequential)
		},
		Removed: func() { close(removed) }}
	ready := make(chan string, 1)
	done := make(chan string, 1)
	go func() { done <- k.Run(context.Background(), ready) }()
	node := <-ready
	if err := s.Conn().Delete(context.Background(), node); err != nil { // an operator's ctl delete
		t.Fatal(err)
	}
	select {
	case <-removed:
	case <-time.After(5 * time.Second):
		t.Fatal("Removed not called")
	}
	if last := <-done; last != "" {
		t.Errorf("Run returned %q after deletion", last)
	}
}
