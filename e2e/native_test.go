//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

func openSession(t *testing.T, c *client.Client, proto tcli.TProtocolVersion, confs map[string]string) *tcli.TOpenSessionResp {
	t.Helper()
	resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: proto, Configuration: confs})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("open session: %s", resp.Status.GetErrorMessage())
	}
	return resp
}

func execAsync(t *testing.T, c *client.Client, sh *tcli.TSessionHandle, q string, timeout int64) *tcli.TOperationHandle {
	t.Helper()
	resp, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, RunAsync: true, QueryTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("%s: %s", q, resp.Status.GetErrorMessage())
	}
	return resp.OperationHandle
}

// waitState polls until the operation leaves the running states.
func waitState(t *testing.T, c *client.Client, oh *tcli.TOperationHandle, limit time.Duration) *tcli.TGetOperationStatusResp {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		st, err := c.GetOperationStatus(context.Background(), &tcli.TGetOperationStatusReq{OperationHandle: oh})
		if err != nil {
			t.Fatal(err)
		}
		switch st.GetOperationState() {
		case tcli.TOperationState_RUNNING_STATE, tcli.TOperationState_PENDING_STATE, tcli.TOperationState_INITIALIZED_STATE:
		default:
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation still %s after %s", st.GetOperationState(), limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const longQuery = "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.id + b.id = -1"

func TestCancelAndTimeout(t *testing.T) {
	g := startGateway(t)
	c := g.native(t, "alice")
	sh := openSession(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil).SessionHandle

	oh := execAsync(t, c, sh, longQuery, 0)
	testenv.Eventually(t, 10*time.Second, func() error { return running(c, oh) })
	if r, err := c.CancelOperation(context.Background(), &tcli.TCancelOperationReq{OperationHandle: oh}); err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("cancel: %v %v", err, r)
	}
	st := waitState(t, c, oh, 30*time.Second)
	if st.GetOperationState() != tcli.TOperationState_CANCELED_STATE {
		t.Errorf("after cancel: %s", st.GetOperationState())
	}

	oh = execAsync(t, c, sh, longQuery, 1)
	st = waitState(t, c, oh, 30*time.Second)
	if st.GetOperationState() != tcli.TOperationState_TIMEDOUT_STATE || !strings.Contains(st.GetErrorMessage(), "timed out") {
		t.Errorf("with queryTimeout=1: %s %q", st.GetOperationState(), st.GetErrorMessage())
	}
	if st.GetOperationCompleted()-st.GetOperationStarted() > 20000 {
		t.Errorf("timeout took %d ms", st.GetOperationCompleted()-st.GetOperationStarted())
	}

	// The server-side kitsune.operation.query.timeout set per session.
	sh2 := openSession(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, map[string]string{"set:hiveconf:kyuubi.operation.query.timeout": "PT1S"}).SessionHandle
	oh = execAsync(t, c, sh2, longQuery, 0)
	if st = waitState(t, c, oh, 30*time.Second); st.GetOperationState() != tcli.TOperationState_TIMEDOUT_STATE {
		t.Errorf("with kyuubi.operation.query.timeout=PT1S: %s", st.GetOperationState())
	}

	// The engine is still healthy: a short query on the first session works.
	oh = execAsync(t, c, sh, "SELECT 1", 0)
	if st = waitState(t, c, oh, 30*time.Second); st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		t.Errorf("after cancel and timeouts: %s %s", st.GetOperationState(), st.GetErrorMessage())
	}
}

func TestProtocolVersionsAndFetchFirst(t *testing.T) {
	g := startGateway(t)
	c := g.native(t, "alice")
	for _, proto := range []tcli.TProtocolVersion{tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V1, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V5,
		tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V8, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11, -7, 42} {
		resp := openSession(t, c, proto, nil)
		if proto >= 0 && proto <= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11 && resp.ServerProtocolVersion != proto {
			t.Errorf("client %d: server answered %d", proto, resp.ServerProtocolVersion)
		}
		if resp.Configuration["hive.server2.thrift.resultset.default.fetch.size"] == "" {
			t.Errorf("no hive.server2.thrift.resultset.default.fetch.size in OpenSession response")
		}
		oh := execAsync(t, c, resp.SessionHandle, "SELECT id AS n, CAST(id AS STRING) AS s FROM range(5)", 0)
		waitState(t, c, oh, 30*time.Second)
		fetch := func(o tcli.TFetchOrientation, n int64) *tcli.TFetchResultsResp {
			r, err := c.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: o, MaxRows: n})
			if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
				t.Fatalf("fetch: %v %v", err, r)
			}
			return r
		}
		first := fetch(tcli.TFetchOrientation_FETCH_NEXT, 3)
		_ = fetch(tcli.TFetchOrientation_FETCH_NEXT, 3)
		again := fetch(tcli.TFetchOrientation_FETCH_FIRST, 2)
		columnar := resp.ServerProtocolVersion >= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V6
		if columnar {
			if got := first.Results.Columns[0].I64Val.Values; len(got) != 3 || got[2] != 2 {
				t.Errorf("proto %d columnar first fetch: %v", proto, got)
			}
			if got := again.Results.Columns[1].StringVal.Values; len(got) != 2 || got[0] != "0" {
				t.Errorf("proto %d FETCH_FIRST: %v", proto, got)
			}
		} else {
			if len(first.Results.Rows) != 3 || first.Results.Rows[2].ColVals[0].I64Val.GetValue() != 2 {
				t.Errorf("proto %d row-based first fetch: %v", proto, first.Results.Rows)
			}
			if len(again.Results.Rows) != 2 || again.Results.Rows[0].ColVals[1].StringVal.GetValue() != "0" {
				t.Errorf("proto %d row-based FETCH_FIRST: %v", proto, again.Results.Rows)
			}
		}
		logs, err := c.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_FIRST, MaxRows: 100, FetchType: 1})
		if err != nil || logs.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("fetch logs: %v %v", err, logs)
		}
		qid, err := c.GetQueryId(context.Background(), &tcli.TGetQueryIdReq{OperationHandle: oh})
		if err != nil || qid.QueryId == "" {
			t.Errorf("GetQueryId: %v %v", err, qid)
		}
		if _, err := c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: resp.SessionHandle}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEngineKilledThenRecovers(t *testing.T) {
	g := startGateway(t)
	c := g.native(t, "dave")
	resp := openSession(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil)
	id := resp.Configuration["kitsune.engine.id"]
	pid := enginePID(g.workDir, id)
	if pid == 0 {
		t.Fatalf("no process for engine %q", id)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, func() error { return gone(enginePID(g.workDir, id)) })
	r, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: resp.SessionHandle, Statement: "SELECT 1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(r.Status.GetErrorMessage(), "engine "+id+") stopped") ||
		!strings.Contains(r.Status.GetErrorMessage(), "open a new session") {
		t.Errorf("statement on a dead engine: %v %q", r.Status.StatusCode, r.Status.GetErrorMessage())
	}
	conn := g.gohive(t, "dave", "NONE", false)
	rows, _ := query(t, conn, "SET kitsune.engine.id")
	if id2 := rows[0]["value"].(string); id2 == id || id2 == "" {
		t.Errorf("after the engine died, the new session got engine %q (old %q)", id2, id)
	}
	if rows, _ := query(t, conn, "SELECT 5 AS five"); rows[0]["five"] != int32(5) {
		t.Errorf("new engine: %v", rows)
	}
}

func TestOversizedFramesAreRefused(t *testing.T) {
	g := startGateway(t, "kitsune.frontend.thrift.max.message.size=1m")
	nc, err := net.Dial("tcp", g.binAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := sasl.ClientPlain(nc, "mallory", "x"); err != nil {
		t.Fatal(err)
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], 2_000_000_000) // a 2 GB frame announced
	_, _ = nc.Write(hdr[:])
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := nc.Read(make([]byte, 16)); err == nil {
		t.Errorf("server answered %d bytes to an oversized frame instead of closing", n)
	}
	// A garbage SASL start is refused too, and the gateway keeps serving.
	nc2, _ := net.Dial("tcp", g.binAddr)
	_, _ = nc2.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	_ = nc2.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = nc2.Read(make([]byte, 16))
	nc2.Close()
	body := bytes.Repeat([]byte{0}, 2<<20)
	resp, err := http.Post("http://"+g.httpAddr+"/cliservice", "application/x-thrift", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB HTTP body: status %d, want 413", resp.StatusCode)
	}
	conn := g.gohive(t, "alice", "NONE", false)
	if rows, _ := query(t, conn, "SELECT 1 AS one"); rows[0]["one"] != int32(1) {
		t.Errorf("gateway unusable after bad input: %v", rows)
	}
}

func TestStartupRejectsUnknownKey(t *testing.T) {
	out, err := exec.Command(kitsuneBin, "server", "--conf", "kitsune.frontend.thrift.binary.bind.prot=1").CombinedOutput()
	if err == nil {
		t.Fatal("server started with an unknown key")
	}
	if !strings.Contains(string(out), `did you mean "kitsune.frontend.thrift.binary.bind.port"`) {
		t.Errorf("unexpected message: %s", out)
	}
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "kitsune-defaults.conf"), []byte("kyuubi.session.idle.timeout notaduration\n"), 0o644)
	out, err = exec.Command(kitsuneBin, "server", "--conf-dir", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "kitsune.session.idle.timeout") {
		t.Errorf("bad duration in the conf file (kyuubi alias): err=%v out=%s", err, out)
	}
}

func TestHiveDriver(t *testing.T) {
	if _, err := os.Stat("../test/node/node_modules/hive-driver"); err != nil {
		t.Fatalf("npm hive-driver is not installed: run `make deps` (scripts/install-test-deps.sh): %v", err)
	}
	g := startGateway(t)
	for _, mode := range []struct{ name, addr string }{{"binary", g.binAddr}, {"http", g.httpAddr}} {
		t.Run(mode.name, func(t *testing.T) {
			host, port := hostPort(t, mode.addr)
			cmd := exec.Command("node", "../test/node/e2e.js", host, itoa(port), mode.name, "erin")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("hive-driver: %v\n%s", err, stderr.String())
			}
			var got struct {
				DBMS       string           `json:"dbms"`
				Server     string           `json:"server"`
				Sync       []map[string]any `json:"sync"`
				SyncSchema [][]string       `json:"syncSchema"`
				QueryID    string           `json:"queryId"`
				Async      struct {
					Count, FirstID, LastID, RestartOffset int
					RestartIDs                            []int `json:"restartIds"`
				} `json:"async"`
				Meta map[string]struct {
					Count   int            `json:"count"`
					Columns []string       `json:"columns"`
					First   map[string]any `json:"first"`
				} `json:"meta"`
				Error      string           `json:"error"`
				AfterError []map[string]any `json:"afterError"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Server != "kitsune" || got.DBMS == "" {
				t.Errorf("GetInfo: server %q dbms %q", got.Server, got.DBMS)
			}
			row := got.Sync[0]
			for k, want := range map[string]any{"i": 1.0, "b": 2.0, "s": "text", "d": 1.25, "t": true, "dec": 12.34, "dt": "2024-02-29",
				"ts": "2024-02-29 13:14:15.5", "n": nil, "u": "erin"} {
				if row[k] != want {
					t.Errorf("column %s = %#v, want %#v", k, row[k], want)
				}
			}
			if b, _ := json.Marshal([]any{row["arr"], row["m"], row["st"]}); string(b) != `[[1,2,3],{"k":1},{"a":1,"b":"x"}]` {
				t.Errorf("complex columns = %s", b)
			}
			if b, _ := json.Marshal(got.SyncSchema); !strings.Contains(string(b), `["dec","DECIMAL_TYPE"]`) || !strings.Contains(string(b), `["arr","ARRAY_TYPE"]`) {
				t.Errorf("schema = %s", b)
			}
			if got.QueryID == "" {
				t.Error("empty query id")
			}
			if a := got.Async; a.Count != 2500 || a.FirstID != 0 || a.LastID != 2499 || a.RestartOffset != 0 || len(a.RestartIDs) != 10 || a.RestartIDs[0] != 0 {
				t.Errorf("async + FETCH_FIRST = %+v", a)
			}
			wantMeta := map[string]int{"typeInfo": 16, "catalogs": 1, "schemas": 1, "tables": 1, "tableTypes": 2, "columns": 2, "functions": 1, "primaryKeys": 1, "crossReference": 0}
			for name, n := range wantMeta {
				if m := got.Meta[name]; m.Count != n || len(m.Columns) == 0 {
					t.Errorf("%s: %d rows %v, want %d", name, m.Count, m.Columns, n)
				}
			}
			// Spark's Thrift server answers TYPE_NAME as DataType.sql ("INT");
			// the Simba Spark driver drops GetColumns rows whose TYPE_NAME it
			// cannot read, lower-case ones included.
			if c := got.Meta["columns"].First; c["COLUMN_NAME"] != "id" || c["TYPE_NAME"] != "INT" || c["DATA_TYPE"] != 4.0 {
				t.Errorf("GetColumns first row = %v", c)
			}
			if !strings.Contains(got.Error, "syntax error") {
				t.Errorf("syntax error reported as %q", got.Error)
			}
			if len(got.AfterError) != 1 || got.AfterError[0]["answer"] != 42.0 {
				t.Errorf("after error: %v", got.AfterError)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func fdCount(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestNoLeaksAcrossSessions opens and closes many sessions (binary and
// HTTP) and checks that the gateway's file descriptors come back. gohive
// keeps its idle HTTP connections open, so the gateway's idle limit is short.
func TestNoLeaksAcrossSessions(t *testing.T) {
	g := startGateway(t, "kitsune.frontend.thrift.http.max.idle.time=PT1S")
	warm := g.gohive(t, "fay", "NONE", false)
	query(t, warm, "SELECT 1")
	before := fdCount(t, g.cmd.Process.Pid)
	for i := 0; i < 30; i++ {
		for _, http := range []bool{false, true} {
			conn := g.gohive(t, "fay", "NONE", http)
			query(t, conn, "SELECT 1")
			conn.Close()
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	after := fdCount(t, g.cmd.Process.Pid)
	for after > before+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		after = fdCount(t, g.cmd.Process.Pid)
	}
	if after > before+2 {
		t.Errorf("gateway file descriptors: %d before, %d after 60 sessions", before, after)
	}
}

func TestGracefulStopDrainsSessions(t *testing.T) {
	g := startGateway(t, "kitsune.server.graceful.stop.timeout=PT20S")
	conn := g.gohive(t, "gus", "NONE", false)
	query(t, conn, "SELECT 1")
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	// No new connections, but the open session still works.
	testenv.Eventually(t, 10*time.Second, func() error {
		c, err := net.DialTimeout("tcp", g.binAddr, time.Second)
		if err == nil {
			c.Close()
			return fmt.Errorf("the stopping gateway still accepts connections")
		}
		return nil
	})
	if v := one(t, conn, "SELECT 6 * 7 AS x"); v != "42" {
		t.Errorf("open session during drain: %s", v)
	}
	select {
	case <-g.exited:
		t.Fatal("the gateway stopped before its session closed")
	default:
	}
	start := time.Now()
	conn.Close()
	select {
	case <-g.exited:
		if time.Since(start) > 10*time.Second || g.cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("stopped %s after the last session closed, exit %d", time.Since(start), g.cmd.ProcessState.ExitCode())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the gateway did not stop after its last session closed")
	}
}
