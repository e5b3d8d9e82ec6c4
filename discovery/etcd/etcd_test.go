//go:build e2e

package etcd_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/conformance"
	"github.com/kitsune-sql/kitsune/discovery/etcd"
	"github.com/kitsune-sql/kitsune/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestConformance runs the discovery suite against a real etcd.
func TestConformance(t *testing.T) {
	e := testenv.StartEtcd(t)
	conformance.Run(t, "/kitsune-test", func(t *testing.T) discovery.Conn {
		c, err := etcd.Dial(etcd.Config{Endpoints: []string{"http://" + e.Addr}, LeaseTTL: 2 * time.Second}, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	})
}

func TestUnreachableEtcdNamesTheKey(t *testing.T) {
	port := testenv.FreePort(t)
	_, err := etcd.Dial(etcd.Config{Endpoints: []string{"127.0.0.1:" + itoa(port)}, ConnectTimeout: 500 * time.Millisecond}, zaptest.NewLogger(t))
	if err == nil || !strings.Contains(err.Error(), "kitsune.ha.addresses") {
		t.Errorf("unreachable etcd: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
