// Package conformance is the one test suite every discovery backend passes:
// the in-process one and ZooKeeper run the same assertions.
package conformance

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/discovery"
)

// Dialer opens a new session on the backend under test; every session of
// one test sees the same nodes.
type Dialer func(t *testing.T) discovery.Conn

// Run runs the suite. root is a path no other test uses.
func Run(t *testing.T, root string, dial Dialer) {
	ctx := context.Background()
	t.Run("CreateGetChildrenDelete", func(t *testing.T) {
		c := dial(t)
		p, err := c.Create(ctx, root+"/a/b/c", []byte("data"), discovery.Persistent)
		if err != nil || p != root+"/a/b/c" {
			t.Fatalf("create with missing parents: %q %v", p, err)
		}
		if b, err := c.Get(ctx, p); err != nil || string(b) != "data" {
			t.Errorf("get: %q %v", b, err)
		}
		if _, err := c.Create(ctx, p, nil, discovery.Persistent); !errors.Is(err, discovery.ErrNodeExists) {
			t.Errorf("create twice: %v", err)
		}
		if kids, err := c.Children(ctx, root+"/a/b"); err != nil || strings.Join(kids, ",") != "c" {
			t.Errorf("children: %v %v", kids, err)
		}
		if err := c.Delete(ctx, root+"/a/b"); !errors.Is(err, discovery.ErrNotEmpty) {
			t.Errorf("delete non-empty: %v", err)
		}
		if err := c.Delete(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, p); !errors.Is(err, discovery.ErrNoNode) {
			t.Errorf("get deleted: %v", err)
		}
		if _, err := c.Children(ctx, root+"/nowhere"); !errors.Is(err, discovery.ErrNoNode) {
			t.Errorf("children of missing: %v", err)
		}
		if err := c.Delete(ctx, root+"/nowhere"); !errors.Is(err, discovery.ErrNoNode) {
			t.Errorf("delete missing: %v", err)
		}
	})
	t.Run("SequentialNames", func(t *testing.T) {
		c := dial(t)
		a, err1 := c.Create(ctx, root+"/seq/serverUri=h:1;version=1;sequence=", nil, discovery.EphemeralSequential)
		b, err2 := c.Create(ctx, root+"/seq/serverUri=h:2;version=1;sequence=", nil, discovery.EphemeralSequential)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		sa, sb := a[len(a)-10:], b[len(b)-10:]
		if len(a) != len(root+"/seq/serverUri=h:1;version=1;sequence=")+10 || sa >= sb {
			t.Errorf("sequential names %q %q", a, b)
		}
	})
	t.Run("EphemeralsGoWithTheirSession", func(t *testing.T) {
		owner, other := dial(t), dial(t)
		p, err := owner.Create(ctx, root+"/eph/node", []byte("x"), discovery.Ephemeral)
		if err != nil {
			t.Fatal(err)
		}
		_, changed, err := other.WatchChildren(ctx, root+"/eph")
		if err != nil {
			t.Fatal(err)
		}
		if err := owner.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatal("no watch event when the ephemeral owner closed")
		}
		if _, err := other.Get(ctx, p); !errors.Is(err, discovery.ErrNoNode) {
			t.Errorf("ephemeral outlived its session: %v", err)
		}
		if _, err := owner.Get(ctx, p); !errors.Is(err, discovery.ErrClosed) {
			t.Errorf("closed conn: %v", err)
		}
	})
	t.Run("WatchFiresOnCreate", func(t *testing.T) {
		a, b := dial(t), dial(t)
		if _, err := a.Create(ctx, root+"/w", nil, discovery.Persistent); err != nil {
			t.Fatal(err)
		}
		kids, changed, err := a.WatchChildren(ctx, root+"/w")
		if err != nil || len(kids) != 0 {
			t.Fatal(kids, err)
		}
		if _, err := b.Create(ctx, root+"/w/x", nil, discovery.Persistent); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatal("no watch event on a new child")
		}
	})
	t.Run("LockIsExclusiveAndFIFO", func(t *testing.T) {
		var holders, maxHolders atomic.Int32
		var order []int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 5; i++ {
			c := dial(t)
			wg.Add(1)
			go func() {
				defer wg.Done()
				unlock, err := discovery.Lock(ctx, c, root+"/lock")
				if err != nil {
					t.Error(err)
					return
				}
				n := holders.Add(1)
				if n > maxHolders.Load() {
					maxHolders.Store(n)
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				holders.Add(-1)
				if err := unlock(); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if maxHolders.Load() != 1 || len(order) != 5 {
			t.Errorf("lock held by %d at once, %d acquisitions", maxHolders.Load(), len(order))
		}
		// A lock whose holder's session ends is released.
		a, b := dial(t), dial(t)
		if _, err := discovery.Lock(ctx, a, root+"/lock2"); err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() {
			_, err := discovery.Lock(ctx, b, root+"/lock2")
			got <- err
		}()
		time.Sleep(100 * time.Millisecond)
		a.Close()
		select {
		case err := <-got:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("lock not released when its holder's session ended")
		}
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := discovery.Lock(cctx, dial(t), root+"/lock2"); err == nil {
			t.Error("took a held lock")
		}
	})
}
