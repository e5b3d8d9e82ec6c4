package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkEndedContextSendsNothing: a call whose context has ended is refused
// before anything reaches the backend, so a client that gave up leaves no
// node behind.
func checkEndedContextSendsNothing(t *testing.T, ctx context.Context, root string, dial Dialer) {
	c := dial(t)
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Create(ended, root+"/ctx/node", nil, discovery.Persistent); !errors.Is(err, context.Canceled) {
		t.Errorf("create with an ended context: %v", err)
	}
	if _, err := c.Get(ctx, root+"/ctx/node"); !errors.Is(err, discovery.ErrNoNode) {
		t.Errorf("the refused create wrote: %v", err)
	}
	if _, err := c.Create(ctx, root+"/ctx/kept", nil, discovery.Persistent); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ended, root+"/ctx/kept"); !errors.Is(err, context.Canceled) {
		t.Errorf("get with an ended context: %v", err)
	}
	if _, err := c.Children(ended, root+"/ctx"); !errors.Is(err, context.Canceled) {
		t.Errorf("children with an ended context: %v", err)
	}
	if _, _, err := c.WatchChildren(ended, root+"/ctx"); !errors.Is(err, context.Canceled) {
		t.Errorf("watch with an ended context: %v", err)
	}
	if err := c.Delete(ended, root+"/ctx/kept"); !errors.Is(err, context.Canceled) {
		t.Errorf("delete with an ended context: %v", err)
	}
	if _, err := c.Get(ctx, root+"/ctx/kept"); err != nil {
		t.Errorf("the refused delete deleted: %v", err)
	}
}
