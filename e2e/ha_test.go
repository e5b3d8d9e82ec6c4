//go:build e2e

package e2e

import (
	"context"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beltran/gohive"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/tenancy"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

func TestZooKeeperDiscoveryAndFailover(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	const ns = "kitsune_e2e"
	confs := []string{"kitsune.ha.addresses=" + z.Addr, "kitsune.ha.namespace=" + ns, "kitsune.ha.zookeeper.session.timeout=PT2S",
		"kitsune.session.engine.idle.timeout=PT2S", testSecret}
	a := startGateway(t, confs...)
	b := startGateway(t, confs...)

	zc, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	reg := discovery.NewRegistry(zc, ns)
	addrs := func() []string { return serverAddrs(t, reg) }
	want := []string{a.binAddr, b.binAddr}
	sort.Strings(want)
	if got := addrs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("registered gateways %v, want %v", got, want)
	}
	kids, _ := zc.Children(context.Background(), "/"+ns)
	for _, k := range kids {
		if !strings.HasPrefix(k, "serverUri=") || !strings.Contains(k, ";version=") || !strings.Contains(k, ";sequence=") {
			t.Errorf("znode %q is not in the HiveServer2/Kyuubi form", k)
		}
	}

	viaZK := func(user string) string {
		cfg := gohive.NewConnectConfiguration()
		cfg.Username, cfg.Password = user, "x"
		cfg.ZookeeperNamespace = ns
		conn, err := gohive.ConnectZookeeper(z.Addr, "NONE", cfg)
		if err != nil {
			t.Fatalf("gohive ConnectZookeeper: %v", err)
		}
		defer conn.Close()
		return one(t, conn, "SELECT current_user() AS u")
	}
	if u := viaZK("amy"); u != "amy" {
		t.Errorf("via ZooKeeper: current_user() = %s", u)
	}
	out, errOut, code := runBeeline(t, "", "-u", "jdbc:hive2://"+z.Addr+"/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace="+ns,
		"-n", "amy", "--outputformat=csv", "--silent=true", "-e", "SELECT 41 + 1 AS x")
	if code != 0 || out != "x\n42\n" {
		t.Errorf("beeline in ZooKeeper mode (exit %d): %q %s", code, out, errOut)
	}

	// A crashed gateway drops out after the session timeout; clients keep
	// finding the live one.
	a.kill()
	deadline := time.Now().Add(20 * time.Second)
	for len(addrs()) != 1 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if got := addrs(); len(got) != 1 || got[0] != b.binAddr {
		t.Fatalf("after kill -9 of %s: registered %v", a.binAddr, got)
	}
	for i := 0; i < 3; i++ {
		if u := viaZK("bea"); u != "bea" {
			t.Errorf("after failover: %s", u)
		}
	}
	// A clean stop deregisters at once.
	b.stop()
	if got := addrs(); len(got) != 0 {
		t.Errorf("after SIGTERM: still registered %v", got)
	}
	_, errOut, code = runBeeline(t, "", "-u", "jdbc:hive2://"+z.Addr+"/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace="+ns, "-e", "SELECT 1")
	if code == 0 || !strings.Contains(errOut, "no gateway registered under /"+ns) {
		t.Errorf("beeline with no gateway: exit %d %s", code, errOut)
	}
}

func TestEnginesSharedAcrossGateways(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	confs := []string{"kitsune.ha.addresses=" + z.Addr, "kitsune.ha.namespace=kitsune_share", "kitsune.ha.zookeeper.session.timeout=PT2S",
		"kitsune.session.engine.idle.timeout=PT3S", "kitsune.ha.zookeeper.auth.type=DIGEST", "kitsune.ha.zookeeper.auth.digest=kitsune:zkpw"}
	a := startGateway(t, confs...)
	b := startGateway(t, confs...)
	ids := burstFirstSessions(t, a, b, "kai")
	logsA, _ := filepath.Glob(filepath.Join(a.workDir, "kai", "engine-*.log"))
	logsB, _ := filepath.Glob(filepath.Join(b.workDir, "kai", "engine-*.log"))
	if len(logsA)+len(logsB) != 1 {
		t.Errorf("%d engine launches, want 1", len(logsA)+len(logsB))
	}
	owner, other := a, b
	if len(logsB) == 1 {
		owner, other = b, a
	}
	// The engine outlives the gateway that launched it.
	ownerEngine := enginePID(owner.workDir, ids[0])
	owner.killed = true
	_ = owner.cmd.Process.Kill()
	<-owner.exited
	conn := other.gohive(t, "kai", "NONE", false)
	if id := one(t, conn, "SET kitsune.engine.id"); id != ids[0] {
		t.Errorf("after the launching gateway died: engine %s, want %s", id, ids[0])
	}
	// A registered engine that does not answer is replaced.
	_ = syscall.Kill(ownerEngine, syscall.SIGKILL)
	testenv.Eventually(t, 10*time.Second, func() error { return gone(enginePID(owner.workDir, ids[0])) })
	conn2 := other.gohive(t, "kai", "NONE", false)
	if id := one(t, conn2, "SET kitsune.engine.id"); id == ids[0] || id == "" {
		t.Errorf("after the engine died: got engine %q again", id)
	}
}

func TestCtl(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	const ns = "kitsune_ctl"
	confs := []string{"kitsune.ha.addresses=" + z.Addr, "kitsune.ha.namespace=" + ns, "kitsune.session.engine.idle.timeout=PT3S", testSecret}
	a := startGateway(t, confs...)
	b := startGateway(t, confs...)
	ctl := func(args ...string) (string, error) {
		out, err := exec.Command(kitsuneBin, append([]string{"ctl", "--zk-quorum", z.Addr, "--namespace", ns}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := ctl("get", "server", a.binAddr); err != nil || !strings.Contains(out, a.binAddr) {
		t.Errorf("get server: %v\n%s", err, out)
	}
	if _, err := ctl("get", "server", "127.0.0.1:1"); err == nil {
		t.Error("get of an unknown server succeeded")
	}
	out, err := ctl("--output", "json", "list", "server")
	if err != nil || !strings.Contains(out, a.binAddr[strings.LastIndexByte(a.binAddr, ':'):]) || !strings.Contains(out, b.binAddr[strings.LastIndexByte(b.binAddr, ':'):]) {
		t.Errorf("list server: %v\n%s", err, out)
	}
	conn := a.gohive(t, "lou", "NONE", false)
	id := one(t, conn, "SET kitsune.engine.id")
	out, err = ctl("list", "engine", "--user", "lou")
	if err != nil || !strings.Contains(out, "USER") || !strings.Contains(out, "lou") || !strings.Contains(out, id) {
		t.Errorf("list engine: %v\n%s", err, out)
	}
	// Deleting an engine stops it.
	pid := enginePID(a.workDir, id)
	if out, err = ctl("delete", "engine", "lou"); err != nil {
		t.Fatalf("delete engine: %v %s", err, out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for enginePID(a.workDir, id) == pid && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if enginePID(a.workDir, id) != 0 {
		t.Error("deleted engine still running")
	}
	if _, err = ctl("delete", "engine", "nobody"); err == nil {
		t.Error("deleting a missing engine succeeded")
	}
	// Deleting a gateway makes it drain and stop, cleanly.
	if out, err := ctl("delete", "server", a.binAddr); err != nil {
		t.Fatalf("delete server %s: %v %s", a.binAddr, err, out)
	}
	select {
	case <-a.exited:
		if code := a.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("deleted gateway exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("deleted gateway did not stop")
	}
	out, _ = ctl("list", "server")
	if strings.Contains(out, a.binAddr) || !strings.Contains(out, b.binAddr) {
		t.Errorf("after delete server:\n%s", out)
	}
}

func TestLostZooKeeperStopsAdvertising(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	px := testenv.StartProxy(t, z.Addr)
	g := startGateway(t, "kitsune.ha.addresses="+px.Addr, "kitsune.ha.namespace=kitsune_lost", testSecret,
		"kitsune.ha.zookeeper.session.timeout=PT30S", "kitsune.ha.zookeeper.lost.grace=PT3S", "kitsune.session.engine.idle.timeout=PT2S")
	conn := g.gohive(t, "liv", "NONE", false)
	query(t, conn, "SELECT 1")
	px.Cut()
	// While ZooKeeper is away, running sessions go on.
	for i := 0; i < 5; i++ {
		if v := one(t, conn, "SELECT 40 + 2 AS x"); v != "42" {
			t.Fatalf("query during the cut: %s", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A short cut (under the grace) would go unnoticed; this one lasts.
	select {
	case <-g.exited:
		if code := g.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit %d", code)
		}
		if !strings.Contains(g.out.String(), "kitsune.ha.zookeeper.lost.grace") {
			t.Errorf("the log does not say why:\n%s", g.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the gateway kept advertising without ZooKeeper")
	}
}

// TestHTTPSessionsOnAnyGateway: with a shared metadata store, an HTTP
// client may send each request to any gateway, and the session outlives
// the gateway that opened it.
func TestHTTPSessionsOnAnyGateway(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	pg := testenv.StartPostgres(t)
	confs := []string{"kitsune.ha.addresses=" + z.Addr, "kitsune.ha.namespace=kitsune_http", testSecret, "kitsune.metadata.store.url=" + pg.URL,
		"kitsune.session.engine.idle.timeout=PT3S"}
	a := startGateway(t, confs...)
	b := startGateway(t, confs...)
	if v, ok := value(scrape(t, a), "kitsune_zookeeper_connected"); !ok || v != 1 {
		t.Errorf("kitsune_zookeeper_connected = %v (present %v), want 1", v, ok)
	}
	dial := func(g *gateway) *client.Client {
		c, err := client.Dial(context.Background(), client.Options{Addr: g.httpAddr, HTTPPath: "cliservice", User: "hal", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ca, cb := dial(a), dial(b)
	resp, err := ca.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
	if err != nil || resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("open on A: %v %v", err, resp.GetStatus())
	}
	sh := resp.SessionHandle
	run := func(c *client.Client, q string) string {
		t.Helper()
		r, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
		if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("%s: %v %v", q, err, r.GetStatus())
		}
		f, err := c.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 10})
		if err != nil || f.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("fetch %s: %v %v", q, err, f.GetStatus())
		}
		return f.Results.Columns[len(f.Results.Columns)-1].StringVal.Values[0]
	}
	run(ca, "SET spark.app.note=from-a")
	// Alternate gateways with one session handle; the operation opened on
	// B is fetched through A.
	if v := run(cb, "SET spark.app.note"); v != "from-a" {
		t.Errorf("session state through B: %q", v)
	}
	r, err := cb.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 'x' AS s"})
	if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(err, r.GetStatus())
	}
	if f, err := ca.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 10}); err != nil ||
		f.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || f.Results.Columns[0].StringVal.Values[0] != "x" {
		t.Errorf("operation from B fetched through A: %v %v", err, f.GetStatus())
	}
	// The gateway that opened the session stops; the session goes on.
	a.stopLeavingEngines()
	if v := run(cb, "SET spark.app.note"); v != "from-a" {
		t.Errorf("after A stopped: %q", v)
	}
	// A handle nobody opened is still refused.
	bogus := &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: make([]byte, 16), Secret: make([]byte, 16)}}
	if r, _ := cb.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: bogus, Statement: "SELECT 1"}); r.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
		t.Errorf("bogus handle: %v", r.Status)
	}
	if _, err := cb.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: sh}); err != nil {
		t.Fatal(err)
	}
	// With its last session closed, the shared engine stops by itself.
	deadline := time.Now().Add(30 * time.Second)
	for len(enginePIDs(a.workDir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if pids := enginePIDs(a.workDir); len(pids) > 0 {
		t.Errorf("shared engine still running after its last session closed: %v", pids)
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	// … and leaves no registration behind; the store knew it.
	zc, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	reg := discovery.NewRegistry(zc, "kitsune_http")
	if es, _ := reg.Engines(context.Background(), tenancy.Spaces{Namespace: "kitsune_http", Version: "0.1.0"}.Path(tenancy.Key{ShareLevel: "USER", Type: "DUCKDB", User: "hal", Subdomain: "default"})); len(es) != 0 {
		t.Errorf("engine registrations left: %+v", es)
	}
	meta, err := store.OpenPostgres(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer meta.Close()
	if es, _ := meta.Engines(context.Background()); len(es) != 1 || es[0].User != "hal" || es[0].Addr == "" {
		t.Errorf("metadata store engines: %+v", es)
	}
	if _, err := meta.GetSession(context.Background(), hex.EncodeToString(sh.SessionId.GUID)); err == nil {
		t.Error("closed session still in the metadata store")
	}
	b.stop()
	if servers, _ := reg.Servers(context.Background()); len(servers) != 0 {
		t.Errorf("gateway registrations left after a clean shutdown: %+v", servers)
	}
}

// burstFirstSessions opens 20 simultaneous first sessions of user, spread
// over two gateways, and checks that they got one engine; its id for each.
func burstFirstSessions(t *testing.T, a, b *gateway, user string) []string {
	t.Helper()
	ids := make([]string, 20)
	var wg sync.WaitGroup
	for i := range ids {
		g := a
		if i%2 == 1 {
			g = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: user, Password: "x"})
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			r, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
			if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
				t.Errorf("open: %v %v", err, r.GetStatus())
				return
			}
			ids[i] = r.Configuration["kitsune.engine.id"]
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("20 sessions over two gateways got engines %v, want one", ids)
		}
	}
	return ids
}

// serverAddrs are the addresses of the gateways registered in reg, sorted.
func serverAddrs(t *testing.T, reg *discovery.Registry) []string {
	t.Helper()
	servers, err := reg.Servers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range servers {
		out = append(out, s.Addr())
	}
	sort.Strings(out)
	return out
}
