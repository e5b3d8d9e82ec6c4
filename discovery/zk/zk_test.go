//go:build e2e

package zk_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/conformance"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestConformance runs the discovery suite against a real ZooKeeper.
func TestConformance(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	conformance.Run(t, "/kitsune-test", func(t *testing.T) discovery.Conn {
		c, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}, SessionTimeout: 4 * time.Second}, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	})
}

func TestUnreachableZooKeeperNamesTheKey(t *testing.T) {
	port := testenv.FreePort(t)
	_, err := zk.Dial(zk.Config{Addresses: []string{"127.0.0.1:" + itoa(port)}, ConnectTimeout: 500 * time.Millisecond}, zaptest.NewLogger(t))
	if err == nil || !strings.Contains(err.Error(), "kitsune.ha.addresses") {
		t.Errorf("dial to nothing: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestKeeperSurvivesSessionExpiry cuts the network to ZooKeeper for longer
// than the session timeout: the ephemeral registration dies with the
// session and the keeper registers again once the network heals.
func TestKeeperSurvivesSessionExpiry(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	px := testenv.StartProxy(t, z.Addr)
	lg := zaptest.NewLogger(t)
	c, err := zk.Dial(zk.Config{Addresses: []string{px.Addr}, SessionTimeout: 2 * time.Second}, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	observer, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}}, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close()
	k := &discovery.Keeper{Conn: c, Log: lg,
		Register: func(ctx context.Context) (string, error) {
			return c.Create(ctx, "/kexp/serverUri=h:1;version=1;sequence=", nil, discovery.EphemeralSequential)
		},
		Removed: func() { t.Error("expiry taken for a deletion") }}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan string, 1)
	go func() { done <- k.Run(ctx, ready) }()
	first := <-ready
	px.Cut()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if kids, _ := observer.Children(context.Background(), "/kexp"); len(kids) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if kids, _ := observer.Children(context.Background(), "/kexp"); len(kids) != 0 {
		t.Fatalf("registration survived the cut: %v", kids)
	}
	px.Heal()
	var kids []string
	for deadline = time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if kids, _ = observer.Children(context.Background(), "/kexp"); len(kids) == 1 {
			break
		}
	}
	if len(kids) != 1 || "/kexp/"+kids[0] == first {
		t.Errorf("after the cut healed: %v (first %s)", kids, first)
	}
	cancel()
	<-done
}

func TestDigestACL(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	lg := zaptest.NewLogger(t)
	owner, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}, Digest: "kitsune:s3cret"}, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	stranger, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}}, lg)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	ctx := context.Background()
	p, err := owner.Create(ctx, "/acl/node", []byte("x"), discovery.Persistent)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := stranger.Get(ctx, p); err != nil || string(b) != "x" {
		t.Errorf("world read: %q %v", b, err)
	}
	if _, err := stranger.Create(ctx, "/acl/node/child", nil, discovery.Persistent); !errors.Is(err, discovery.ErrNoAuth) {
		t.Errorf("stranger wrote under an owned node: %v", err)
	}
	if err := stranger.Delete(ctx, "/acl/node"); err == nil {
		t.Error("a stranger deleted an owned node")
	}
}
