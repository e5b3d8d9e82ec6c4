package conformance

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkLockIsExclusiveAndFIFO is one conformance check.
func checkLockIsExclusiveAndFIFO(t *testing.T, ctx context.Context, root string, dial Dialer) {
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
}
