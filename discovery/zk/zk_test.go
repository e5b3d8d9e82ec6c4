package zk_test

import (
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
