package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkWatchFiresOnCreate is one conformance check.
func checkWatchFiresOnCreate(t *testing.T, ctx context.Context, root string, dial Dialer) {
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
}
