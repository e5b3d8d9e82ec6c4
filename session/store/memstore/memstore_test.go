package memstore

import (
	"context"
	"errors"
	"testing"

	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/session/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, New()) }

func TestDownAndEndedContext(t *testing.T) {
	s := New()
	outage := errors.New("connection refused")
	s.SetDown(outage)
	if _, err := s.GetSession(context.Background(), "x"); !errors.Is(err, outage) {
		t.Errorf("down store answered %v", err)
	}
	s.SetDown(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.PutSession(ctx, store.Session{ID: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v", err)
	}
	if _, err := s.GetSession(context.Background(), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a call with an ended context wrote: %v", err)
	}
}
