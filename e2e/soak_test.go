//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"github.com/jackc/pgx/v5"

	"github.com/kitsune-sql/kitsune/internal/testenv"
)

// soakEnv is the deployment under soak: two gateways behind ZooKeeper (through
// a proxy that can cut it) sharing a PostgreSQL store.
type soakEnv struct {
	t     *testing.T
	zk    *testenv.ZooKeeper
	proxy *testenv.Proxy
	pg    *testenv.Postgres
	ns    string
	confs []string

	mu  sync.Mutex
	gws [2]*gateway
	fds map[*gateway]int
	// dirs are the work directories of every gateway started, whose
	// engines (their command lines name them) belong to this run.
	dirs []string
}

const soakZKTimeout = 4 * time.Second

func startSoakEnv(t *testing.T) *soakEnv {
	z := testenv.StartZooKeeper(t)
	e := &soakEnv{t: t, zk: z, proxy: testenv.StartProxy(t, z.Addr), pg: testenv.StartPostgres(t), ns: "kitsune_soak", fds: map[*gateway]int{}}
	e.confs = []string{"kitsune.ha.addresses=" + e.proxy.Addr, "kitsune.ha.namespace=" + e.ns,
		"kitsune.ha.zookeeper.session.timeout=PT4S", "kitsune.session.engine.idle.timeout=PT10S",
		"kitsune.session.idle.timeout=PT20S", "kitsune.session.check.interval=PT2S",
		"kitsune.metadata.store.url=" + e.pg.URL, testSecret}
	for i := range e.gws {
		e.start(i)
	}
	return e
}

// start (re)starts gateway slot i and takes its open-file baseline.
func (e *soakEnv) start(i int) {
	g := startGateway(e.t, e.confs...)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gws[i] = g
	e.fds[g] = countFDs(g.cmd.Process.Pid)
	e.dirs = append(e.dirs, g.workDir)
}

// pick is a live gateway, at random.
func (e *soakEnv) pick() *gateway {
	for {
		e.mu.Lock()
		var live []*gateway
		for _, g := range e.gws {
			if g != nil {
				live = append(live, g)
			}
		}
		e.mu.Unlock()
		if len(live) > 0 {
			return live[rand.IntN(len(live))]
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *soakEnv) take(i int) *gateway {
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.gws[i]
	e.gws[i] = nil
	delete(e.fds, g)
	return g
}

func countFDs(pid int) int {
	ents, _ := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	return len(ents)
}

// fdKinds summarizes a process's open files by what they point at.
func fdKinds(pid int) string {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	ents, _ := os.ReadDir(dir)
	kinds := map[string]int{}
	for _, en := range ents {
		target, _ := os.Readlink(filepath.Join(dir, en.Name()))
		if i := strings.IndexByte(target, '['); i > 0 {
			target = target[:i]
		}
		kinds[target]++
	}
	return fmt.Sprint(kinds)
}

// engines are the engine processes of every gateway of this run.
func (e *soakEnv) engines() []int {
	e.mu.Lock()
	dirs := append([]string(nil), e.dirs...)
	e.mu.Unlock()
	return enginePIDs(dirs...)
}

// chaos runs event n (they rotate) and says what it did.
func (e *soakEnv) chaos(n int) string {
	switch n % 5 {
	case 0:
		pids := e.engines()
		if len(pids) == 0 {
			return "kill -9 engine: none running"
		}
		p := pids[rand.IntN(len(pids))]
		_ = syscall.Kill(p, syscall.SIGKILL)
		return fmt.Sprintf("kill -9 engine %d", p)
	case 1:
		g := e.take(0)
		g.stopLeavingEngines()
		e.start(0)
		return "SIGTERM gateway 0, restarted"
	case 2:
		g := e.take(1)
		g.killed = true
		_ = g.cmd.Process.Kill()
		<-g.exited
		e.start(1)
		return "kill -9 gateway 1, restarted"
	case 3:
		e.proxy.Cut()
		time.Sleep(2 * soakZKTimeout)
		e.proxy.Heal()
		return fmt.Sprintf("ZooKeeper cut for %s", 2*soakZKTimeout)
	default:
		e.pg.Stop(e.t)
		time.Sleep(3 * time.Second)
		e.pg.Start(e.t)
		return "PostgreSQL restarted"
	}
}

// ephemeralNodes counts the ephemeral ZooKeeper nodes of the namespace.
func (e *soakEnv) ephemeralNodes() (int, error) {
	c, _, err := gozk.Connect([]string{e.zk.Addr}, 5*time.Second, gozk.WithLogInfo(false))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	roots, _, err := c.Children("/")
	if err != nil {
		return 0, err
	}
	n := 0
	var walk func(p string)
	walk = func(p string) {
		if _, st, err := c.Exists(p); err == nil && st != nil && st.EphemeralOwner != 0 {
			n++
		}
		kids, _, _ := c.Children(p)
		for _, k := range kids {
			walk(p + "/" + k)
		}
	}
	for _, r := range roots {
		if strings.HasPrefix(r, e.ns) {
			walk("/" + r)
		}
	}
	return n, nil
}

// storeRows counts the rows of the shared store's tables.
func (e *soakEnv) storeRows() (string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.pg.URL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var out []string
	for _, tbl := range []string{"kitsune_sessions", "kitsune_operations", "kitsune_engines"} {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
			return "", err
		}
		out = append(out, fmt.Sprintf("%s=%d", tbl, n))
	}
	return strings.Join(out, " "), nil
}

// soakDuration is KITSUNE_SOAK_DURATION (make soak DURATION=30m), else the
// short run of make test.
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("KITSUNE_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("KITSUNE_SOAK_DURATION=%s: %v", v, err)
		}
		return d
	}
	return 60 * time.Second
}

// TestSoak runs clients over binary and HTTP against two gateways while
// engines, gateways, ZooKeeper and PostgreSQL fail in turn. Every answer
// that arrives must be right, every failure a clean HS2 error or a lost
// connection (never a hang), and afterwards processes, ZooKeeper nodes,
// store rows and open files return to their baselines.
func TestSoak(t *testing.T) {
	dur := soakDuration(t)
	e := startSoakEnv(t)
	baseNodes, err := e.ephemeralNodes()
	if err != nil {
		t.Fatal(err)
	}
	baseRows, err := e.storeRows()
	if err != nil {
		t.Fatal(err)
	}
	tally := &soakTally{errs: map[string]int64{}}
	ctx, stop := context.WithTimeout(context.Background(), dur)
	defer stop()
	var wg sync.WaitGroup
	for i := range 8 {
		w := &soakWorker{id: i, user: fmt.Sprintf("soak%d", i%4), http: i%2 == 1, pick: e.pick, tally: tally,
			rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.finish()
			for ctx.Err() == nil {
				w.step()
			}
		}()
	}
	var events []string
	tick := time.NewTicker(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case <-tick.C:
			events = append(events, e.chaos(n))
			continue
		case <-ctx.Done():
		}
		break
	}
	tick.Stop()
	wg.Wait()
	e.report(t, dur, tally, events)
	e.checkBaselines(t, baseNodes, baseRows)
}

func (e *soakEnv) report(t *testing.T, dur time.Duration, tally *soakTally, events []string) {
	var kinds []string
	for k, n := range tally.errs {
		kinds = append(kinds, fmt.Sprintf("  %6d  %s", n, k))
	}
	sort.Strings(kinds)
	t.Logf("soak %s: %d statements, %d wrong results, %d hangs, %d HTTP sessions continued on a new connection\nchaos: %s\nerrors by kind:\n%s",
		dur, tally.statements.Load(), tally.wrong.Load(), tally.hangs.Load(), tally.adopted.Load(), strings.Join(events, "; "), strings.Join(kinds, "\n"))
	if tally.wrong.Load() != 0 {
		t.Errorf("%d wrong results: %v", tally.wrong.Load(), tally.wrongWhat)
	}
	if tally.hangs.Load() != 0 {
		t.Errorf("%d calls hung past %s", tally.hangs.Load(), soakCallTimeout)
	}
	for k := range tally.errs {
		if strings.HasPrefix(k, "other ") {
			t.Errorf("an error that is neither an HS2 error nor a lost connection: %s", k)
		}
	}
	if tally.statements.Load() < 100 {
		t.Errorf("only %d statements ran", tally.statements.Load())
	}
}

// checkBaselines waits for engines to stop when idle, then compares.
func (e *soakEnv) checkBaselines(t *testing.T, baseNodes int, baseRows string) {
	testenv.Eventually(t, 150*time.Second, func() error {
		if pids := e.engines(); len(pids) > 0 {
			return fmt.Errorf("engine processes still running: %v", pids)
		}
		if n, err := e.ephemeralNodes(); err != nil || n != baseNodes {
			return fmt.Errorf("ephemeral ZooKeeper nodes: %d (err %v), baseline %d", n, err, baseNodes)
		}
		if rows, err := e.storeRows(); err != nil || rows != baseRows {
			return fmt.Errorf("store rows: %s (err %v), baseline %s", rows, err, baseRows)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, g := range e.gws {
			// The store's connection pool may keep up to 4 idle connections.
			if n := countFDs(g.cmd.Process.Pid); n > e.fds[g]+4 {
				return fmt.Errorf("gateway %s has %d open files, baseline %d: %s", g.binAddr, n, e.fds[g], fdKinds(g.cmd.Process.Pid))
			}
		}
		return nil
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.gws {
		t.Logf("gateway %s: %d open files (baseline %d)", g.binAddr, countFDs(g.cmd.Process.Pid), e.fds[g])
	}
}
