package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkEphemeralsGoWithTheirSession is one conformance check.
func checkEphemeralsGoWithTheirSession(t *testing.T, ctx context.Context, root string, dial Dialer) {
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
}
