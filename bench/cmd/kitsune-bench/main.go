// Command kitsune-bench starts a kitsune gateway and measures, for one warm
// engine, the latency of a SELECT 1 cycle and the throughput of fetching
// 1,000,000 rows, each through the gateway and directly against the engine,
// with their ratios; plus warm session-open time and cold start to first
// row. It prints figures and the targets they are held against.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"syscall"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

const secret = "kitsune-bench-secret"

func main() {
	bin := flag.String("kitsune", "bin/kitsune", "kitsune binary")
	cycles := flag.Int("cycles", 500, "SELECT 1 cycles per side")
	rows := flag.Int("rows", 1_000_000, "rows fetched per throughput run")
	runs := flag.Int("runs", 3, "throughput runs per side (best is reported)")
	flag.Parse()
	if err := run(*bin, *cycles, *rows, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "kitsune-bench:", err)
		os.Exit(1)
	}
}

func run(bin string, cycles, nrows, runs int) error {
	work, err := os.MkdirTemp("", "kitsune-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	cmd := exec.Command(bin, "server", "--conf", "kitsune.frontend.thrift.binary.bind.port=0", "--conf", "kitsune.frontend.thrift.http.bind.port=0",
		"--conf", "kitsune.server.work.dir="+work, "--conf", "kitsune.engine.security.secret="+secret, "--log-level", "warn")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	gw := ""
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := regexp.MustCompile(`serving: binary (\S+),`).FindStringSubmatch(sc.Text()); m != nil {
			gw = m[1]
			break
		}
	}
	if gw == "" {
		return fmt.Errorf("gateway did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	ctx := context.Background()

	// Cold start: a new user's first session, to the first row.
	t0 := time.Now()
	c, sh, err := open(ctx, gw, "cold", "x")
	if err != nil {
		return err
	}
	if err := cycle(ctx, c, sh, "SELECT 1"); err != nil {
		return err
	}
	cold := time.Since(t0)
	c.Close()

	// Warm the bench user's engine, then find its address in its log.
	gc, gsh, err := open(ctx, gw, "bench", "x")
	if err != nil {
		return err
	}
	defer gc.Close()
	engineAddr, err := engineAddress(filepath.Join(work, "bench"))
	if err != nil {
		return err
	}
	dc, dsh, err := open(ctx, engineAddr, "bench", secret)
	if err != nil {
		return fmt.Errorf("direct to engine: %w", err)
	}
	defer dc.Close()

	opens := make([]time.Duration, 0, 50)
	for i := 0; i < 50; i++ {
		t := time.Now()
		c, sh, err := open(ctx, gw, "bench", "x")
		if err != nil {
			return err
		}
		opens = append(opens, time.Since(t))
		_, _ = c.CloseSession(ctx, &tcli.TCloseSessionReq{SessionHandle: sh})
		c.Close()
	}

	lat := func(c *client.Client, sh *tcli.TSessionHandle) (time.Duration, error) {
		for i := 0; i < 50; i++ { // warm-up
			if err := cycle(ctx, c, sh, "SELECT 1"); err != nil {
				return 0, err
			}
		}
		d := make([]time.Duration, cycles)
		for i := range d {
			t := time.Now()
			if err := cycle(ctx, c, sh, "SELECT 1"); err != nil {
				return 0, err
			}
			d[i] = time.Since(t)
		}
		return median(d), nil
	}
	gLat, err := lat(gc, gsh)
	if err != nil {
		return err
	}
	dLat, err := lat(dc, dsh)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("SELECT id, CAST(id AS DOUBLE) * 1.5 AS d, concat('row-', CAST(id AS STRING)) AS s FROM range(%d)", nrows)
	thr := func(c *client.Client, sh *tcli.TSessionHandle) (float64, error) {
		best := 0.0
		for i := 0; i < runs; i++ {
			t := time.Now()
			n, err := fetchAll(ctx, c, sh, q)
			if err != nil {
				return 0, err
			}
			if n != nrows {
				return 0, fmt.Errorf("fetched %d rows, want %d", n, nrows)
			}
			best = max(best, float64(n)/time.Since(t).Seconds())
		}
		return best, nil
	}
	gThr, err := thr(gc, gsh)
	if err != nil {
		return err
	}
	dThr, err := thr(dc, dsh)
	if err != nil {
		return err
	}

	// Direct results: a SELECT 1 is one round trip for a Spark-protocol
	// client that asks for them.
	gsc, gssh, err := openSpark(ctx, gw, "bench", "x")
	if err != nil {
		return err
	}
	defer gsc.Close()
	dsc, dssh, err := openSpark(ctx, engineAddr, "bench", secret)
	if err != nil {
		return err
	}
	defer dsc.Close()
	dlat := func(c *client.Client, sh *tcli.TSessionHandle) (time.Duration, int, error) {
		d := make([]time.Duration, cycles)
		trips := 0
		for i := -50; i < cycles; i++ {
			t := time.Now()
			n, err := directCycle(ctx, c, sh)
			if err != nil {
				return 0, 0, err
			}
			if i >= 0 {
				d[i], trips = time.Since(t), max(trips, n)
			}
		}
		return median(d), trips, nil
	}
	gdLat, gTrips, err := dlat(gsc, gssh)
	if err != nil {
		return err
	}
	ddLat, _, err := dlat(dsc, dssh)
	if err != nil {
		return err
	}
	// Arrow against columnar results through the gateway, numeric columns.
	nq := fmt.Sprintf("SELECT id, id * 2 AS twice, CAST(id AS DOUBLE) / 3 AS third FROM range(%d)", nrows)
	fmtThr := func(arrow bool) (float64, error) {
		best := 0.0
		for i := 0; i < runs; i++ {
			t := time.Now()
			n, err := fetchSpark(ctx, gsc, gssh, nq, arrow)
			if err != nil {
				return 0, err
			}
			if n != nrows {
				return 0, fmt.Errorf("fetched %d rows, want %d (arrow=%v)", n, nrows, arrow)
			}
			best = max(best, float64(n)/time.Since(t).Seconds())
		}
		return best, nil
	}
	colThr, err := fmtThr(false)
	if err != nil {
		return err
	}
	arrowThr, err := fmtThr(true)
	if err != nil {
		return err
	}

	fmt.Printf("kitsune bench (one warm DuckDB engine, loopback, binary transport)\n\n")
	fmt.Printf("%-40s %14s %14s %10s %s\n", "measure", "gateway", "direct", "ratio", "target")
	fmt.Printf("%-40s %14s %14s %10.2f %s\n", "SELECT 1 cycle, median latency", gLat.Round(time.Microsecond), dLat.Round(time.Microsecond),
		float64(gLat)/float64(dLat), "gateway/direct <= 1.3")
	fmt.Printf("%-40s %14.0f %14.0f %10.2f %s\n", fmt.Sprintf("fetch %d rows (BIGINT,DOUBLE,STRING), rows/s", nrows), gThr, dThr, gThr/dThr, "gateway/direct >= 0.85")
	fmt.Printf("%-40s %14s %14s %10.2f %s\n", fmt.Sprintf("SELECT 1, direct results (%d round trip)", gTrips), gdLat.Round(time.Microsecond), ddLat.Round(time.Microsecond),
		float64(gdLat)/float64(ddLat), "gateway/direct <= 1.1, one round trip")
	fmt.Printf("%-40s %14.0f %14.0f %10.2f %s\n", fmt.Sprintf("fetch %d rows (3 numeric), arrow vs cols", nrows), arrowThr, colThr, arrowThr/colThr, "arrow/columnar >= 5 (both via gateway)")
	fmt.Printf("%-40s %14s %14s %10s %s\n", "session open, warm engine, median", median(opens).Round(time.Microsecond), "-", "-", "<= 5ms")
	fmt.Printf("%-40s %14s %14s %10s %s\n", "cold engine start to first row", cold.Round(time.Millisecond), "-", "-", "<= 500ms")
	fmt.Printf("\n%.2f gateway/direct (SELECT 1 cycle)\n%.2f gateway/direct (fetch)\n%.2f gateway/direct (SELECT 1, direct results)\n%.2f arrow/columnar (gateway fetch, numeric)\n",
		float64(gLat)/float64(dLat), gThr/dThr, float64(gdLat)/float64(ddLat), arrowThr/colThr)
	return nil
}

// openSpark opens a session with the Spark protocol (SPARK V8, as the
// Databricks drivers ask).
func openSpark(ctx context.Context, addr, user, password string) (*client.Client, *tcli.TSessionHandle, error) {
	v := int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8)
	return openWith(ctx, addr, password, &tcli.TOpenSessionReq{ClientProtocol: -7, ClientProtocolI64: &v, Username: &user})
}

// directCycle is a SELECT 1 with direct results; it returns the round
// trips it took (1 when the reply carried the rows and closed the operation).
func directCycle(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 1", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 1000}})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	if d := r.DirectResults; d != nil && d.CloseOperation != nil && client.RowCount(d.ResultSet.GetResults()) == 1 {
		return 1, nil
	}
	n, err := fetchAll(ctx, c, sh, "SELECT 1")
	if n != 1 {
		return 0, fmt.Errorf("SELECT 1 answered %d rows", n)
	}
	return 4, err
}

// fetchSpark reads a whole result as columns or as Arrow batches.
func fetchSpark(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string, arrow bool) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, RunAsync: false, CanReadArrowResult_: &arrow})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	oh := r.OperationHandle
	defer func() { _, _ = c.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: oh}) }()
	n := 0
	for {
		fr, err := c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 100000})
		if err != nil {
			return 0, err
		}
		if err := status.AsError(fr.Status); err != nil {
			return 0, err
		}
		got := client.RowCount(fr.Results)
		for _, b := range fr.GetResults().GetArrowBatches() {
			got += int(b.RowCount)
		}
		n += got
		if !fr.GetHasMoreRows() || got == 0 {
			return n, nil
		}
	}
}

func open(ctx context.Context, addr, user, password string) (*client.Client, *tcli.TSessionHandle, error) {
	return openWith(ctx, addr, password, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &user})
}

// openWith dials addr and opens the session req asks for.
func openWith(ctx context.Context, addr, password string, req *tcli.TOpenSessionReq) (*client.Client, *tcli.TSessionHandle, error) {
	c, err := client.Dial(ctx, client.Options{Addr: addr, User: req.GetUsername(), Password: password})
	if err != nil {
		return nil, nil, err
	}
	r, err := c.OpenSession(ctx, req)
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, r.SessionHandle, nil
}

// cycle is what a client does for one small query: execute, poll, fetch, close.
func cycle(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string) error {
	_, err := fetchAll(ctx, c, sh, q)
	return err
}

func fetchAll(ctx context.Context, c *client.Client, sh *tcli.TSessionHandle, q string) (int, error) {
	r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, RunAsync: true})
	if err == nil {
		err = status.AsError(r.Status)
	}
	if err != nil {
		return 0, err
	}
	oh := r.OperationHandle
	for polls := 0; ; polls++ {
		st, err := c.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: oh})
		if err != nil {
			return 0, err
		}
		s := st.GetOperationState()
		if s == tcli.TOperationState_FINISHED_STATE {
			break
		}
		if s != tcli.TOperationState_RUNNING_STATE && s != tcli.TOperationState_PENDING_STATE {
			return 0, fmt.Errorf("%s: %s", s, st.GetErrorMessage())
		}
		if polls > 20 { // poll at once first, as hive-driver does
			time.Sleep(time.Millisecond)
		}
	}
	n := 0
	for {
		fr, err := c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 10000})
		if err != nil {
			return 0, err
		}
		got := client.RowCount(fr.Results)
		n += got
		if !fr.GetHasMoreRows() || got == 0 {
			break
		}
	}
	_, err = c.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: oh})
	return n, err
}

func engineAddress(userDir string) (string, error) {
	logs, _ := filepath.Glob(filepath.Join(userDir, "engine-*.log"))
	re := regexp.MustCompile(`engine ready.*"addr": "([^"]+)"`)
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("no engine address in %s/engine-*.log", userDir)
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
