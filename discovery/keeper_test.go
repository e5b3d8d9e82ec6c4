package discovery_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/memory"
)

func TestKeeperStopsWhenDeletedOnPurpose(t *testing.T) {
	s := memory.NewStore()
	c := s.Conn()
	defer c.Close()
	removed := make(chan struct{})
	k := &discovery.Keeper{Conn: c, Log: zaptest.NewLogger(t),
		Register: func(ctx context.Context) (string, error) {
			return c.Create(ctx, "/ns/serverUri=h:1;version=1;sequence=", nil, discovery.EphemeralSequential)
		},
		Removed: func() { close(removed) }}
	ready := make(chan string, 1)
	done := make(chan string, 1)
	go func() { done <- k.Run(context.Background(), ready) }()
	node := <-ready
	if err := s.Conn().Delete(context.Background(), node); err != nil { // an operator's ctl delete
		t.Fatal(err)
	}
	select {
	case <-removed:
	case <-time.After(5 * time.Second):
		t.Fatal("Removed not called")
	}
	if last := <-done; last != "" {
		t.Errorf("Run returned %q after deletion", last)
	}
}

// lapsedConn is a backend whose session has lapsed without its id having
// changed yet: etcd's watch, resumed after a partition, reports the lease's
// expiry before the keep-alive has noticed it.
type lapsedConn struct {
	discovery.Conn
	alive chan bool
}

func (c lapsedConn) SessionID() int64 { return 7 }

func (c lapsedConn) SessionAlive(context.Context, int64) bool { return <-c.alive }

func TestKeeperRegistersAgainWhenTheSessionLapsed(t *testing.T) {
	s := memory.NewStore()
	c := lapsedConn{Conn: s.Conn(), alive: make(chan bool, 1)}
	t.Cleanup(func() { c.Close() }) // after the keeper stops
	first, registered := runKeeper(t, c, func() { t.Error("a lapsed session was taken for an operator's delete") })
	c.alive <- false
	if err := s.Conn().Delete(context.Background(), first); err != nil { // the lease's expiry
		t.Fatal(err)
	}
	registeredAgain(t, registered, first, "not registered again after the session lapsed")
}

// runKeeper runs a keeper on c until the test ends: its first node, and
// each node it registers after that.
func runKeeper(t *testing.T, c discovery.Conn, removed func()) (string, <-chan string) {
	registered := make(chan string, 4)
	k := &discovery.Keeper{Conn: c, Log: zaptest.NewLogger(t), Removed: removed,
		Register: func(ctx context.Context) (string, error) {
			n, err := c.Create(ctx, "/ns/serverUri=h:1;version=1;sequence=", nil, discovery.EphemeralSequential)
			registered <- n
			return n, err
		}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ready := make(chan string, 1)
	go k.Run(ctx, ready)
	first := <-ready
	<-registered
	return first, registered
}

// registeredAgain waits for a new node other than first.
func registeredAgain(t *testing.T, registered <-chan string, first, failure string) {
	t.Helper()
	select {
	case again := <-registered:
		if again == first {
			t.Errorf("registered again as %s, the deleted node", again)
		}
	case <-time.After(5 * time.Second):
		t.Fatal(failure)
	}
}

// quietConn is a backend whose watch never fires and whose session is
// replaced on demand: a deletion the watch missed across a partition.
type quietConn struct {
	discovery.Conn
	session *atomic.Int64
}

func (c quietConn) SessionID() int64 { return c.session.Load() }

func (c quietConn) WatchChildren(ctx context.Context, p string) ([]string, <-chan struct{}, error) {
	kids, err := c.Children(ctx, p)
	return kids, make(chan struct{}), err
}

func TestKeeperLooksForItsNodeInANewSession(t *testing.T) {
	s := memory.NewStore()
	c := quietConn{Conn: s.Conn(), session: &atomic.Int64{}}
	c.session.Store(1)
	t.Cleanup(func() { c.Close() }) // after the keeper stops
	first, registered := runKeeper(t, c, nil)
	if err := s.Conn().Delete(context.Background(), first); err != nil { // gone with the old session
		t.Fatal(err)
	}
	c.session.Store(2)
	registeredAgain(t, registered, first, "not registered again in the new session although the watch never fired")
}
