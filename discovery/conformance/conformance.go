// Package conformance is the one test suite every discovery backend passes:
// the in-process one and ZooKeeper run the same assertions.
package conformance

import (
	"context"
	"testing"

	"github.com/kitsune-sql/kitsune/discovery"
)

// Dialer opens a new session on the backend under test; every session of
// one test sees the same nodes.
type Dialer func(t *testing.T) discovery.Conn

// Run runs the suite. root is a path no other test uses.
func Run(t *testing.T, root string, dial Dialer) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		check func(t *testing.T, ctx context.Context, root string, dial Dialer)
	}{
		{"CreateGetChildrenDelete", checkCreateGetChildrenDelete},
		{"SequentialNames", checkSequentialNames},
		{"EphemeralsGoWithTheirSession", checkEphemeralsGoWithTheirSession},
		{"WatchFiresOnCreate", checkWatchFiresOnCreate},
		{"LockIsExclusiveAndFIFO", checkLockIsExclusiveAndFIFO},
		{"EndedContextSendsNothing", checkEndedContextSendsNothing},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, ctx, root, dial) })
	}
}
