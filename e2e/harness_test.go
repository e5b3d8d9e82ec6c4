//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beltran/gohive"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// kitsuneBin is the binary built once for the whole run.
var kitsuneBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kitsune-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kitsuneBin = filepath.Join(dir, "kitsune")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", kitsuneBin, "../cmd/kitsune")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build kitsune:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gateway is a kitsune server process started for one test.
type gateway struct {
	t        *testing.T
	cmd      *exec.Cmd
	workDir  string
	binAddr  string
	httpAddr string
	restAddr string
	// metricsAddr is the Prometheus endpoint ("" when off).
	metricsAddr string
	out         *syncBuffer
	exited      chan struct{}
	killed      bool
	// shared engines (high availability) outlive the gateway and stop
	// themselves when idle.
	shared bool
}

// stopLeavingEngines stops the gateway with SIGTERM and checks it exited 0,
// but leaves its (shared) engines to the test.
func (g *gateway) stopLeavingEngines() {
	g.killed = true // the cleanup has nothing left to do
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
		g.t.Errorf("gateway did not stop within 30s of SIGTERM")
	}
	if code := g.cmd.ProcessState.ExitCode(); code != 0 {
		g.t.Errorf("gateway exited %d after SIGTERM, want 0:\n%s", code, g.out.String())
	}
}

// kill stops the gateway with SIGKILL, as a crash would, and then kills
// the engines it left behind.
func (g *gateway) kill() {
	g.killed = true
	_ = g.cmd.Process.Kill()
	<-g.exited
	for _, p := range enginePIDs(g.workDir) {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingLine = regexp.MustCompile(`serving: binary (\S*), http (\S*)/\S*, rest (\S*), metrics (\S*)`)

// startGateway starts `kitsune server` on free ports with extra --conf
// settings. Cleanup stops it with SIGTERM and checks that it exited 0 and
// left no engine process behind.
func startGateway(t *testing.T, confs ...string) *gateway {
	t.Helper()
	return startGatewayEnv(t, nil, confs...)
}

// startGatewayEnv is startGateway with extra environment variables.
func startGatewayEnv(t *testing.T, env []string, confs ...string) *gateway {
	t.Helper()
	g := &gateway{t: t, workDir: t.TempDir(), out: &syncBuffer{}, exited: make(chan struct{})}
	args := []string{"server", "--conf", "kitsune.frontend.thrift.binary.bind.port=0", "--conf", "kitsune.frontend.thrift.http.bind.port=0", "--conf", "kitsune.frontend.rest.bind.port=0", "--conf", "kitsune.metrics.prometheus.port=0",
		"--conf", "kitsune.server.work.dir=" + g.workDir}
	for _, c := range confs {
		args = append(args, "--conf", c)
		if strings.HasPrefix(c, "kitsune.ha.addresses=") {
			g.shared = true
		}
	}
	g.cmd = exec.Command(kitsuneBin, args...)
	g.cmd.Env = append(os.Environ(), env...)
	pr, pw, _ := os.Pipe()
	g.cmd.Stdout, g.cmd.Stderr = pw, pw
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	ready := make(chan [4]string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			g.out.Write([]byte(line + "\n"))
			if m := servingLine.FindStringSubmatch(line); m != nil && !sent {
				ready <- [4]string{m[1], m[2], m[3], m[4]}
				sent = true
			}
		}
		close(ready)
	}()
	go func() { _ = g.cmd.Wait(); close(g.exited) }()
	select {
	case addrs, ok := <-ready:
		if !ok {
			t.Fatalf("gateway exited before serving:\n%s", g.out.String())
		}
		g.binAddr, g.httpAddr, g.restAddr, g.metricsAddr = addrs[0], addrs[1], addrs[2], addrs[3]
	case <-time.After(30 * time.Second):
		t.Fatalf("gateway did not start:\n%s", g.out.String())
	}
	t.Cleanup(g.stop)
	return g
}

func (g *gateway) stop() {
	t := g.t
	if g.killed {
		return
	}
	select {
	case <-g.exited:
		return
	default:
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		t.Errorf("gateway did not stop within 30s of SIGTERM:\n%s", g.out.String())
		<-g.exited
	}
	if code := g.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("gateway exited %d after SIGTERM, want 0:\n%s", code, g.out.String())
	}
	pids := enginePIDs(g.workDir)
	for deadline := time.Now().Add(30 * time.Second); g.shared && len(pids) > 0 && time.Now().Before(deadline); pids = enginePIDs(g.workDir) {
		time.Sleep(200 * time.Millisecond)
	}
	if len(pids) > 0 {
		t.Errorf("engine processes left after the gateway stopped: %v", pids)
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
}

// enginePIDs lists live engine processes whose command line mentions one
// of dirs (gateway work directories).
func enginePIDs(dirs ...string) []int {
	return livePIDs(func(cmd string) bool {
		return strings.Contains(cmd, " engine ") && slices.ContainsFunc(dirs, func(d string) bool { return strings.Contains(cmd, d) })
	})
}

// livePIDs lists the processes (zombies aside) whose command line, with
// spaces for NULs, matches.
func livePIDs(match func(cmd string) bool) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !match(strings.ReplaceAll(string(b), "\x00", " ")) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && strings.Contains(string(st), ") Z ") {
			continue // a zombie is already dead
		}
		out = append(out, pid)
	}
	return out
}

// enginePID finds the process of the engine with id.
func enginePID(dir, id string) int {
	for _, p := range enginePIDs(dir) {
		b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "cmdline"))
		if strings.Contains(strings.ReplaceAll(string(b), "\x00", " "), "--id "+id+" ") {
			return p
		}
	}
	return 0
}

func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return addr[:i], p
}

// gohiveConn connects gohive as user over the binary (auth NONE/NOSASL) or
// HTTP transport.
func (g *gateway) gohive(t *testing.T, user, auth string, http bool) *gohive.Connection {
	t.Helper()
	cfg := gohive.NewConnectConfiguration()
	cfg.Username = user
	cfg.Password = "secret"
	addr := g.binAddr
	if http {
		cfg.TransportMode = "http"
		cfg.HTTPPath = "cliservice"
		addr = g.httpAddr
	}
	host, port := hostPort(t, addr)
	conn, err := gohive.Connect(host, port, auth, cfg)
	if err != nil {
		t.Fatalf("gohive connect to %s as %s: %v\n%s", addr, user, err, g.out.String())
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// query runs q with gohive and returns every row as strings, with the
// column descriptions.
func query(t *testing.T, conn *gohive.Connection, q string) ([]map[string]any, [][]string) {
	t.Helper()
	rows, desc, err := tryQuery(conn, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows, desc
}

func tryQuery(conn *gohive.Connection, q string) ([]map[string]any, [][]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cur := conn.Cursor()
	defer cur.Close()
	cur.Exec(ctx, q)
	if cur.Err != nil {
		return nil, nil, cur.Err
	}
	var rows []map[string]any
	for cur.HasMore(ctx) {
		m := cur.RowMap(ctx)
		if cur.Err != nil {
			return nil, nil, cur.Err
		}
		rows = append(rows, m)
	}
	if cur.Err != nil {
		return nil, nil, cur.Err
	}
	return rows, cur.Description(), nil
}

// exec runs a statement without a result set.
func exec1(t *testing.T, conn *gohive.Connection, q string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cur := conn.Cursor()
	defer cur.Close()
	cur.Exec(ctx, q)
	if cur.Err != nil {
		t.Fatalf("%s: %v", q, cur.Err)
	}
}

// native dials the gateway with kitsune's own client.
func (g *gateway) native(t *testing.T, user string) *client.Client {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: user, Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testingConn names a gohive connection in table-style helpers.
type testingConn struct{ *gohive.Connection }

// gone is nil once pid is 0 (no such process any more).
func gone(pid int) error {
	if pid != 0 {
		return fmt.Errorf("process %d still runs", pid)
	}
	return nil
}

// running is nil once the operation runs.
func running(c *client.Client, oh *tcli.TOperationHandle) error {
	st, err := c.GetOperationStatus(context.Background(), &tcli.TGetOperationStatusReq{OperationHandle: oh})
	if err != nil {
		return err
	}
	if st.GetOperationState() != tcli.TOperationState_RUNNING_STATE {
		return fmt.Errorf("operation is %s", st.GetOperationState())
	}
	return nil
}
