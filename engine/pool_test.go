package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/tenancy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeLauncher "launches" engines that are channels instead of processes.
type fakeLauncher struct {
	launches atomic.Int32
	delay    time.Duration
	fail     error
}

func (f *fakeLauncher) Launch(_ context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error) {
	profile := spec.Profile
	f.launches.Add(1)
	time.Sleep(f.delay)
	if f.fail != nil {
		return nil, f.fail
	}
	return &Engine{ID: NewID(), Key: key, Profile: profile, Addr: "127.0.0.1:1", exited: make(chan struct{})}, nil
}

var _ Launcher = (*fakeLauncher)(nil)

func TestConcurrentFirstSessionsLaunchOnce(t *testing.T) {
	fl := &fakeLauncher{delay: 50 * time.Millisecond}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour}, fl, zaptest.NewLogger(t))
	key := tenancy.Key{Type: "DUCKDB", ShareLevel: "USER", User: "ann", Subdomain: "default"}
	var wg sync.WaitGroup
	ids := make([]string, 50)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := p.Acquire(context.Background(), key, tenancy.Spec{})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = e.ID
		}()
	}
	wg.Wait()
	if n := fl.launches.Load(); n != 1 {
		t.Errorf("%d launches for 50 simultaneous sessions, want 1", n)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("sessions got different engines: %v", ids)
		}
	}
	other, _ := p.Acquire(context.Background(), tenancy.Key{Type: "DUCKDB", ShareLevel: "USER", User: "bob", Subdomain: "default"}, tenancy.Spec{})
	if other.ID == ids[0] || fl.launches.Load() != 2 {
		t.Errorf("bob shares ann's engine or was not launched")
	}
	for _, e := range p.Engines() {
		close(e.exited)
	}
	p.Close()
}

func TestDeadEngineIsReplacedAndFailuresAreNotCached(t *testing.T) {
	fl := &fakeLauncher{}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour}, fl, zaptest.NewLogger(t))
	key := tenancy.Key{User: "ann"}
	e1, _ := p.Acquire(context.Background(), key, tenancy.Spec{})
	close(e1.exited) // the process died
	e2, _ := p.Acquire(context.Background(), key, tenancy.Spec{})
	if e2.ID == e1.ID || fl.launches.Load() != 2 {
		t.Errorf("dead engine reused")
	}
	fl.fail = errors.New("boom")
	if _, err := p.Acquire(context.Background(), tenancy.Key{User: "zed"}, tenancy.Spec{}); err == nil {
		t.Error("launch failure not reported")
	}
	fl.fail = nil
	if _, err := p.Acquire(context.Background(), tenancy.Key{User: "zed"}, tenancy.Spec{}); err != nil {
		t.Errorf("a failed launch was cached: %v", err)
	}
	for _, e := range p.Engines() {
		close(e.exited)
	}
	p.Close()
}

func TestIdleEnginesStop(t *testing.T) {
	fl := &fakeLauncher{}
	p := NewPool(PoolConfig{IdleTimeout: 10 * time.Millisecond}, fl, zaptest.NewLogger(t))
	key := tenancy.Key{User: "ann"}
	e, _ := p.Acquire(context.Background(), key, tenancy.Spec{})
	p.stopIdle(context.Background())
	if len(p.Engines()) != 1 {
		t.Fatal("engine in use was stopped")
	}
	p.Release(key, nil)
	time.Sleep(20 * time.Millisecond)
	go func() { time.Sleep(5 * time.Millisecond); close(e.exited) }()
	p.stopIdle(context.Background())
	if len(p.Engines()) != 0 {
		t.Error("idle engine kept")
	}
	p.Close()
}

func TestConcurrentLaunchesAreBounded(t *testing.T) {
	fl := &countingLauncher{delay: 30 * time.Millisecond}
	p := NewPool(PoolConfig{IdleTimeout: time.Hour, MaxLaunches: 2}, fl, zaptest.NewLogger(t))
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Acquire(context.Background(), tenancy.Key{User: fmt.Sprint("u", i)}, tenancy.Spec{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m := fl.maxSeen.Load(); m != 2 {
		t.Errorf("%d launches at once, want at most (and, with 6 waiting, exactly) 2", m)
	}
	for _, e := range p.Engines() {
		close(e.exited)
	}
	p.Close()
}

// countingLauncher records how many launches run at once.
type countingLauncher struct {
	delay   time.Duration
	now     atomic.Int32
	maxSeen atomic.Int32
}

func (c *countingLauncher) Launch(_ context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error) {
	profile := spec.Profile
	n := c.now.Add(1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(c.delay)
	c.now.Add(-1)
	return &Engine{ID: NewID(), Key: key, Profile: profile, exited: make(chan struct{})}, nil
}
