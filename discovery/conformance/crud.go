package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkCreateGetChildrenDelete is one conformance check.
func checkCreateGetChildrenDelete(t *testing.T, ctx context.Context, root string, dial Dialer) {
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
}
