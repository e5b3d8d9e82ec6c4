package conformance

import (
	"context"
	"testing"

	"github.com/kitsune-sql/kitsune/discovery"
)

// checkSequentialNames is one conformance check.
func checkSequentialNames(t *testing.T, ctx context.Context, root string, dial Dialer) {
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
}
