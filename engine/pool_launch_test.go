package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// gatedLauncher's launches wait for proceed, or end when their context does
// (counted as abandoned).
type gatedLauncher struct {
	proceed   chan struct{}
	started   atomic.Int32
	abandoned atomic.Int32
}

func (g *gatedLauncher) Launch(ctx context.Context, key tenancy.Key, _ tenancy.Spec) (*Engine, error) {
	g.started.Add(1)
	select {
	case <-g.proceed:
		return &Engine{ID: NewID(), Key: key, Addr: "127.0.0.1:1", exited: make(chan struct{})}, nil
	case <-ctx.Done():
		g.abandoned.Add(1)
		return nil, ctx.Err()
	}
}

func TestALaunchOutlivesTheCallerWhoGaveUp(t *testing.T) {
	g := &gatedLauncher{proceed: make(chan struct{})}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour}, g, zaptest.NewLogger(t))
	key := tenancy.Key{Type: "DUCKDB", ShareLevel: "USER", User: "ann", Subdomain: "default"}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Acquire(ctx, key, tenancy.Spec{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a caller whose context ended got %v", err)
	}
	close(g.proceed) // the launch goes on and ends well
	e, err := p.Acquire(context.Background(), key, tenancy.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if g.started.Load() != 1 || g.abandoned.Load() != 0 {
		t.Errorf("%d launches, %d abandoned: the retry should find the first launch", g.started.Load(), g.abandoned.Load())
	}
	close(e.exited)
	p.Close()
}

func TestAConnectionLaunchIsAbandonedWithItsSession(t *testing.T) {
	g := &gatedLauncher{proceed: make(chan struct{})}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour}, g, zaptest.NewLogger(t))
	key := tenancy.Key{Type: "DUCKDB", ShareLevel: "CONNECTION", User: "ann", Subdomain: "c1"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for g.started.Load() == 0 { // the session gives up once its engine is launching
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := p.Acquire(ctx, key, tenancy.Spec{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	testenv.Eventually(t, 5*time.Second, func() error {
		if !(g.abandoned.Load() == 1) {
			return errors.New("waiting for the launch to be abandoned")
		}
		return nil
	})
	p.Close()
}

func TestCloseAbandonsLaunchesInFlight(t *testing.T) {
	g := &gatedLauncher{proceed: make(chan struct{})}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour}, g, zaptest.NewLogger(t))
	done := make(chan error, 1)
	go func() {
		_, err := p.Acquire(context.Background(), tenancy.Key{Type: "DUCKDB", ShareLevel: "USER", User: "bo", Subdomain: "default"}, tenancy.Spec{})
		done <- err
	}()
	testenv.Eventually(t, 5*time.Second, func() error {
		if !(g.started.Load() == 1) {
			return errors.New("waiting for the launch to start")
		}
		return nil
	})
	p.Close() // returns without the launch's proceed: it was abandoned
	if err := <-done; err == nil {
		t.Error("the waiting session got an engine from an abandoned launch")
	}
	if g.abandoned.Load() != 1 {
		t.Errorf("abandoned %d", g.abandoned.Load())
	}
}
