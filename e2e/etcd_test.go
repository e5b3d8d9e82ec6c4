//go:build e2e

package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/etcd"
	"github.com/kitsune-sql/kitsune/internal/testenv"
)

// etcdRegistry is a registry on one etcd, and the gateways registered in it.
func etcdRegistry(t *testing.T, addr, ns string) (*discovery.Registry, func() []string) {
	c, err := etcd.Dial(etcd.Config{Endpoints: []string{addr}, LeaseTTL: 2 * time.Second}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	reg := discovery.NewRegistry(c, ns)
	return reg, func() []string { return serverAddrs(t, reg) }
}

// Gateways on etcd as on ZooKeeper: both register, beeline finds them
// (serviceDiscoveryMode=etcd), kitsune ctl lists them, a killed gateway
// drops out when its lease expires, a stopped one at once.
func TestEtcdDiscoveryAndFailover(t *testing.T) {
	e := testenv.StartEtcd(t)
	const ns = "kitsune_etcd"
	confs := []string{"kitsune.ha.client.class=org.apache.kyuubi.ha.client.etcd.EtcdDiscoveryClient", "kitsune.ha.addresses=http://" + e.Addr,
		"kitsune.ha.namespace=" + ns, "kitsune.ha.etcd.lease.timeout=PT2S", "kitsune.session.engine.idle.timeout=PT2S", testSecret}
	a, b := startGateway(t, confs...), startGateway(t, confs...)
	_, addrs := etcdRegistry(t, e.Addr, ns)
	want := []string{a.binAddr, b.binAddr}
	sort.Strings(want)
	if got := addrs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("registered gateways %v, want %v", got, want)
	}
	out, errOut, code := runBeeline(t, "", "-u", "jdbc:hive2://"+e.Addr+"/default;serviceDiscoveryMode=etcd;zooKeeperNamespace="+ns,
		"-n", "amy", "--outputformat=csv", "--silent=true", "-e", "SELECT 41 + 1 AS x")
	if code != 0 || out != "x\n42\n" {
		t.Errorf("beeline through etcd (exit %d): %q %s", code, out, errOut)
	}
	ctl, err := exec.Command(kitsuneBin, "ctl", "--zk-quorum", e.Addr, "--ha-client", "ETCD", "--namespace", ns, "list", "server").CombinedOutput()
	if err != nil || !strings.Contains(string(ctl), a.binAddr) || !strings.Contains(string(ctl), b.binAddr) {
		t.Errorf("kitsune ctl list server on etcd: %v\n%s", err, ctl)
	}
	a.kill()
	testenv.Eventually(t, 20*time.Second, func() error {
		if got := addrs(); len(got) != 1 || got[0] != b.binAddr {
			return fmt.Errorf("after kill -9 of %s: registered %v", a.binAddr, got)
		}
		return nil
	})
	out, errOut, code = runBeeline(t, "", "-u", "jdbc:hive2://"+e.Addr+"/default;serviceDiscoveryMode=etcd;zooKeeperNamespace="+ns,
		"-n", "bea", "--outputformat=csv", "--silent=true", "-e", "SELECT current_user() AS u")
	if code != 0 || out != "u\nbea\n" {
		t.Errorf("beeline after failover (exit %d): %q %s", code, out, errOut)
	}
	b.stop()
	if got := addrs(); len(got) != 0 {
		t.Errorf("after SIGTERM: still registered %v", got)
	}
}

// A burst of first sessions over two gateways on etcd launches one
// engine (the creation lock and the engine registration over etcd).
func TestEtcdEnginesSharedAcrossGateways(t *testing.T) {
	e := testenv.StartEtcd(t)
	confs := []string{"kitsune.ha.client.class=ETCD", "kitsune.ha.addresses=" + e.Addr, "kitsune.ha.namespace=kitsune_etcd_share",
		"kitsune.ha.etcd.lease.timeout=PT2S", "kitsune.session.engine.idle.timeout=PT3S", testSecret}
	a, b := startGateway(t, confs...), startGateway(t, confs...)
	burstFirstSessions(t, a, b, "kai")
	logsA, _ := filepath.Glob(filepath.Join(a.workDir, "kai", "engine-*.log"))
	logsB, _ := filepath.Glob(filepath.Join(b.workDir, "kai", "engine-*.log"))
	if len(logsA)+len(logsB) != 1 {
		t.Errorf("%d engine launches, want 1", len(logsA)+len(logsB))
	}
}

// A gateway whose link to etcd is cut past the lease's TTL loses its
// registration; when the link is back it takes a new lease and registers
// again, and its sessions went on meanwhile.
func TestEtcdLeaseLossRestoresRegistration(t *testing.T) {
	e := testenv.StartEtcd(t)
	px := testenv.StartProxy(t, e.Addr)
	const ns = "kitsune_etcd_lease"
	g := startGateway(t, "kitsune.ha.client.class=ETCD", "kitsune.ha.addresses="+px.Addr, "kitsune.ha.namespace="+ns,
		"kitsune.ha.etcd.lease.timeout=PT2S", "kitsune.session.engine.idle.timeout=PT2S", testSecret)
	_, addrs := etcdRegistry(t, e.Addr, ns)
	if got := addrs(); len(got) != 1 {
		t.Fatalf("registered %v", got)
	}
	conn := g.gohive(t, "liv", "NONE", false)
	px.Cut()
	testenv.Eventually(t, 20*time.Second, func() error {
		if got := addrs(); len(got) != 0 {
			return fmt.Errorf("still registered %v with the link cut", got)
		}
		return nil
	})
	if v := one(t, conn, "SELECT 40 + 2 AS x"); v != "42" {
		t.Errorf("a query while etcd is away: %s", v)
	}
	px.Heal()
	testenv.Eventually(t, 30*time.Second, func() error {
		if got := addrs(); len(got) != 1 || got[0] != g.binAddr {
			return fmt.Errorf("registered %v after the link came back", got)
		}
		return nil
	})
	if !strings.Contains(g.out.String(), "etcd lease lost") {
		t.Errorf("the log does not say the lease was lost:\n%s", g.out.String())
	}
}
