//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

type restBatch struct {
	ID            string            `json:"id"`
	User          string            `json:"user"`
	BatchType     string            `json:"batchType"`
	Name          string            `json:"name"`
	AppID         string            `json:"appId"`
	AppURL        string            `json:"appUrl"`
	AppState      string            `json:"appState"`
	AppDiagnostic string            `json:"appDiagnostic"`
	Instance      string            `json:"kyuubiInstance"`
	State         string            `json:"state"`
	CreateTime    int64             `json:"createTime"`
	EndTime       int64             `json:"endTime"`
	BatchInfo     map[string]string `json:"batchInfo"`
}

func sparkBatch(name string, conf map[string]string) map[string]any {
	c := map[string]string{"spark.master": "yarn", "spark.stub.seconds": "1"}
	for k, v := range conf {
		c[k] = v
	}
	return map[string]any{"batchType": "SPARK", "resource": "hdfs:///jobs/etl.jar", "className": "org.example.Etl", "name": name,
		"conf": c, "args": []string{"--day", "2026-12-01"}}
}

// waitBatch polls the batch until it reaches state.
func (c *restClient) waitBatch(id, state string) restBatch {
	c.t.Helper()
	var b restBatch
	testenv.Eventually(c.t, 30*time.Second, func() error {
		c.ok("GET", "/batches/"+id, nil, &b)
		if b.State != state {
			return fmt.Errorf("batch %s is %s (app %s), want %s", id, b.State, b.AppState, state)
		}
		return nil
	})
	return b
}

// Batches through the stub spark-submit: one that succeeds (its YARN
// application id, tracking URL and final status read from the output),
// one that fails (YARN's diagnostics as appDiagnostic), one canceled, one
// resubmitted with the same kitsune.batch.id (the same batch, run once);
// the list filters and pages; the local log; another user sees none.
func TestRESTBatches(t *testing.T) {
	home := sparkHome(t)
	record := filepath.Join(t.TempDir(), "argv")
	g := startGatewayEnv(t, []string{"KITSUNE_STUB_RECORD=" + record}, "kitsune.engineEnv.SPARK_HOME="+home,
		"kitsune.batch.state.check.interval=PT0.2S", "kitsune.batch.resource.file.max.size=1k")
	alice := g.rest(t, "alice")

	var ok restBatch
	alice.ok("POST", "/batches", sparkBatch("etl", map[string]string{"kitsune.engine.queue": "etl"}), &ok)
	if ok.ID == "" || ok.User != "alice" || ok.BatchType != "SPARK" || (ok.State != "PENDING" && ok.State != "RUNNING") || ok.Instance != g.restAddr {
		t.Errorf("submitted batch: %+v", ok)
	}
	ok = alice.waitBatch(ok.ID, "FINISHED")
	if !strings.HasPrefix(ok.AppID, "application_") || !strings.Contains(ok.AppURL, ok.AppID) || ok.AppState != "SUCCEEDED" || ok.EndTime == 0 {
		t.Errorf("finished batch: %+v", ok)
	}
	argv, _ := os.ReadFile(record)
	for _, want := range []string{"--class\norg.example.Etl\n", "--proxy-user\nalice\n", "spark.yarn.queue=etl\n", "spark.yarn.tags=KITSUNE," + ok.ID, "spark.app.name=etl\n",
		"hdfs:///jobs/etl.jar\n--day\n2026-12-01\n"} {
		if !strings.Contains(string(argv), want) {
			t.Errorf("spark-submit's argv lacks %q:\n%s", want, argv)
		}
	}
	var log struct {
		LogRowSet []string `json:"logRowSet"`
		RowCount  int      `json:"rowCount"`
	}
	alice.ok("GET", "/batches/"+ok.ID+"/localLog?from=0&size=2", nil, &log)
	if log.RowCount != 2 || !strings.Contains(log.LogRowSet[0], "Submitted application "+ok.AppID) {
		t.Errorf("local log: %+v", log)
	}

	var bad restBatch
	alice.ok("POST", "/batches", sparkBatch("broken", map[string]string{"spark.stub.outcome": "FAILED"}), &bad)
	bad = alice.waitBatch(bad.ID, "ERROR")
	if bad.AppState != "FAILED" || !strings.Contains(bad.AppDiagnostic, "input path /data/in does not exist") {
		t.Errorf("failed batch: %+v", bad)
	}

	var long restBatch
	alice.ok("POST", "/batches", sparkBatch("long", map[string]string{"spark.stub.seconds": "60"}), &long)
	alice.waitBatch(long.ID, "RUNNING")
	testenv.Eventually(t, 10*time.Second, func() error {
		if pidWithArg("spark.yarn.tags=KITSUNE,"+long.ID) == 0 {
			return fmt.Errorf("no spark-submit for the long batch")
		}
		return nil
	})
	var closed struct {
		Success bool   `json:"success"`
		Msg     string `json:"msg"`
	}
	alice.ok("DELETE", "/batches/"+long.ID, nil, &closed)
	if !closed.Success {
		t.Errorf("cancel: %+v", closed)
	}
	alice.waitBatch(long.ID, "CANCELED")
	if pid := pidWithArg("spark.yarn.tags=KITSUNE," + long.ID); pid != 0 {
		t.Errorf("the canceled batch's spark-submit (pid %d) still runs", pid)
	}

	id := uuid.NewString()
	var first, again restBatch
	alice.ok("POST", "/batches", sparkBatch("once", map[string]string{"kyuubi.batch.id": id}), &first)
	alice.ok("POST", "/batches", sparkBatch("once", map[string]string{"kyuubi.batch.id": id}), &again)
	if first.ID != id || again.ID != id || again.BatchInfo["kyuubi.batch.duplicated"] != "true" || first.BatchInfo["kyuubi.batch.duplicated"] != "" {
		t.Errorf("idempotent resubmission: first %+v, again %+v", first, again)
	}
	alice.waitBatch(id, "FINISHED")
	// Five at once with a fresh id: one runs, all answer with it.
	burst := uuid.NewString()
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b restBatch
			if a := alice.do("POST", "/batches", sparkBatch("burst", map[string]string{"kitsune.batch.id": burst})); a.status != http.StatusOK ||
				json.Unmarshal(a.body, &b) != nil || b.ID != burst {
				t.Errorf("a concurrent resubmission: %d %s", a.status, a.body)
			}
		}()
	}
	wg.Wait()
	alice.waitBatch(burst, "FINISHED")
	argv, _ = os.ReadFile(record)
	for _, bid := range []string{id, burst} {
		if n := strings.Count(string(argv), "spark.yarn.tags=KITSUNE,"+bid); n != 1 {
			t.Errorf("the batch with kitsune.batch.id %s ran %d times", bid, n)
		}
	}
	if a := alice.do("POST", "/batches", sparkBatch("x", map[string]string{"kyuubi.batch.id": "not-a-uuid"})); a.status != http.StatusBadRequest ||
		a.err.ErrorCode != status.CodeBatchRefused {
		t.Errorf("a batch id that is no UUID: %d %s", a.status, a.body)
	}
	if a := alice.do("POST", "/batches", map[string]any{"batchType": "FLINK", "resource": "x.jar"}); a.status != http.StatusBadRequest ||
		a.err.ErrorCode != status.CodeBatchRefused {
		t.Errorf("an unsupported batch type: %d %s", a.status, a.body)
	}

	var page struct {
		From    int         `json:"from"`
		Total   int         `json:"total"`
		Batches []restBatch `json:"batches"`
	}
	alice.ok("GET", "/batches?batchState=FINISHED&batchUser=alice&desc=true", nil, &page)
	if page.Total != 3 || page.Batches[0].ID != burst || page.Batches[1].ID != id || page.Batches[2].ID != ok.ID {
		t.Errorf("finished batches, newest first: %+v", page)
	}
	alice.ok("GET", "/batches?from=1&size=2", nil, &page)
	if page.From != 1 || page.Total != 2 || page.Batches[0].ID != bad.ID {
		t.Errorf("a page of batches: %+v", page)
	}
	bob := g.rest(t, "bob")
	bob.ok("GET", "/batches", nil, &page)
	if page.Total != 0 {
		t.Errorf("bob sees alice's batches: %+v", page)
	}
	if a := bob.do("GET", "/batches/"+ok.ID, nil); a.status != http.StatusNotFound {
		t.Errorf("bob reads alice's batch: %d %s", a.status, a.body)
	}
	if a := bob.do("DELETE", "/batches/"+ok.ID, nil); a.status != http.StatusNotFound {
		t.Errorf("bob cancels alice's batch: %d %s", a.status, a.body)
	}
	restUpload(t, alice, record)
}

// restUpload submits a PySpark batch with its resource in a multipart
// upload, and one whose upload is over the limit.
func restUpload(t *testing.T, c *restClient, record string) {
	post := func(size int) restAnswer {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		req, _ := json.Marshal(map[string]any{"batchType": "PYSPARK", "name": "py", "conf": map[string]string{"spark.master": "local"}})
		_ = w.WriteField("batchRequest", string(req))
		f, _ := w.CreateFormFile("resourceFile", "job.py")
		_, _ = f.Write(bytes.Repeat([]byte("#"), size))
		_ = w.Close()
		r, _ := http.NewRequest("POST", c.base+"/batches", &body)
		r.SetBasicAuth(c.user, c.pass)
		r.Header.Set("Content-Type", w.FormDataContentType())
		return c.send(r)
	}
	a := post(100)
	var b restBatch
	if a.status != http.StatusOK || json.Unmarshal(a.body, &b) != nil {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	c.waitBatch(b.ID, "FINISHED")
	argv, _ := os.ReadFile(record)
	if !strings.Contains(string(argv), "/job.py\n") {
		t.Errorf("spark-submit did not get the uploaded job.py:\n%s", argv)
	}
	if a := post(2000); a.status != http.StatusRequestEntityTooLarge || a.err.ErrorCode != status.CodeBatchRefused ||
		!strings.Contains(a.err.Message, "kitsune.batch.resource.file.max.size") {
		t.Errorf("an upload over the limit: %d %s", a.status, a.body)
	}
}

// A gateway stopped while its batch runs picks the batch up when it
// starts again (same work directory and REST address): the batch ends
// FINISHED with its application's report.
func TestRESTBatchSurvivesRestart(t *testing.T) {
	home := sparkHome(t)
	work := t.TempDir()
	port := freePort(t)
	confs := []string{"kitsune.engineEnv.SPARK_HOME=" + home, "kitsune.batch.state.check.interval=PT0.2S", "kitsune.server.work.dir=" + work,
		"kitsune.frontend.rest.bind.port=" + strconv.Itoa(port)}
	g := startGateway(t, confs...)
	var b restBatch
	g.rest(t, "alice").ok("POST", "/batches", sparkBatch("survivor", map[string]string{"spark.stub.seconds": "4"}), &b)
	g.rest(t, "alice").waitBatch(b.ID, "RUNNING")
	g.stop()
	if pidWithArg("spark.yarn.tags=KITSUNE,"+b.ID) == 0 {
		t.Fatal("the batch's spark-submit did not outlive the gateway")
	}
	g2 := startGateway(t, confs...)
	done := g2.rest(t, "alice").waitBatch(b.ID, "FINISHED")
	if done.AppState != "SUCCEEDED" || done.Instance != g2.restAddr || !strings.HasPrefix(done.AppID, "application_") {
		t.Errorf("the picked-up batch: %+v", done)
	}
	if !strings.Contains(g2.out.String(), "picked up a batch") {
		t.Errorf("the restarted gateway did not say it picked the batch up:\n%s", g2.out.String())
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// kitsune ctl drives batches, sessions, operations and refreshes over the
// REST API, with kyuubi-ctl's batch file, in table and JSON output.
func TestCtlOverREST(t *testing.T) {
	home := sparkHome(t)
	g := startGateway(t, "kitsune.engineEnv.SPARK_HOME="+home, "kitsune.batch.state.check.interval=PT0.2S")
	ctl := func(user string, args ...string) (string, error) {
		base := []string{"ctl", "--rest-url", "http://" + g.restAddr, "--username", user, "--password", "pw"}
		out, err := exec.Command(kitsuneBin, append(base, args...)...).CombinedOutput()
		return string(out), err
	}
	file := filepath.Join(t.TempDir(), "batch.yaml")
	yaml := "apiVersion: v1\nusername: alice\nrequest:\n  batchType: SPARK\n  name: ctl-pi\n  resource: hdfs:///jobs/pi.jar\n" +
		"  className: org.apache.spark.examples.SparkPi\n  args: [\"10\"]\n  configs:\n    spark.master: yarn\n    spark.stub.seconds: \"1\"\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := ctl("alice", "--output", "json", "create", "batch", "-f", file)
	var created []restBatch
	if err != nil || json.Unmarshal([]byte(out), &created) != nil || len(created) != 1 || created[0].Name != "ctl-pi" || created[0].User != "alice" {
		t.Fatalf("create batch: %v\n%s", err, out)
	}
	id := created[0].ID
	testenv.Eventually(t, 30*time.Second, func() error {
		out, err := ctl("alice", "get", "batch", id)
		if err != nil || !strings.Contains(out, "FINISHED") || !strings.Contains(out, "SUCCEEDED") {
			return fmt.Errorf("get batch: %v\n%s", err, out)
		}
		return nil
	})
	if out, err := ctl("alice", "list", "batch", "--batch-state", "FINISHED"); err != nil || !strings.Contains(out, id) || !strings.HasPrefix(out, "ID") {
		t.Errorf("list batch: %v\n%s", err, out)
	}
	if out, err := ctl("alice", "log", "batch", id, "--from", "0", "--size", "1"); err != nil || !strings.Contains(out, "Submitted application application_") {
		t.Errorf("log batch: %v\n%s", err, out)
	}
	if out, err := ctl("bob", "get", "batch", id); err == nil || !strings.Contains(out, "code 50002") {
		t.Errorf("bob gets alice's batch: %v\n%s", err, out)
	}

	s := g.rest(t, "alice").openSession(nil)
	admin := serverUser(t)
	if out, err := ctl(admin, "list", "session"); err != nil || !strings.Contains(out, s) || !strings.Contains(out, "alice") {
		t.Errorf("list session: %v\n%s", err, out)
	}
	if out, err := ctl("alice", "list", "session"); err == nil || !strings.Contains(out, "not an administrator") {
		t.Errorf("list session as a non-admin: %v\n%s", err, out)
	}
	if out, err := ctl(admin, "--output", "json", "list", "operation"); err != nil || !strings.HasPrefix(strings.TrimSpace(out), "[") {
		t.Errorf("list operation: %v\n%s", err, out)
	}
	if out, err := ctl(admin, "delete", "session", s); err != nil || !strings.Contains(out, "is closed successfully") {
		t.Errorf("delete session: %v\n%s", err, out)
	}
	if out, err := ctl(admin, "refresh", "config", "deny_users"); err != nil || !strings.Contains(out, "Refresh the deny users successfully.") {
		t.Errorf("refresh config: %v\n%s", err, out)
	}
	if out, err := exec.Command(kitsuneBin, "ctl", "list", "batch").CombinedOutput(); err == nil || !strings.Contains(string(out), "--rest-url") {
		t.Errorf("a REST command without --rest-url: %v\n%s", err, out)
	}
}

// With a shared metadata store any gateway serves any REST session and
// operation (it adopts them as it adopts an HS2 HTTP client's), and
// answers for a batch another gateway runs, from the store.
func TestRESTOnAnyGateway(t *testing.T) {
	pg := testenv.StartPostgres(t)
	home := sparkHome(t)
	confs := []string{testSecret, "kitsune.metadata.store.url=" + pg.URL, "kitsune.engineEnv.SPARK_HOME=" + home, "kitsune.batch.state.check.interval=PT0.2S"}
	a, b := startGateway(t, confs...), startGateway(t, confs...)
	ra, rb := a.rest(t, "alice"), b.rest(t, "alice")
	s := ra.openSession(nil)
	if rows := rb.statement(s, "SELECT 6 * 7 AS v"); len(rows.Rows) != 1 || rows.Rows[0].Fields[0].Value != 42.0 {
		t.Errorf("A's session through B: %+v", rows)
	}
	var op restHandle
	ra.ok("POST", "/sessions/"+s+"/operations/statement", map[string]any{"statement": "SELECT 'from A' AS v"}, &op)
	var rows restRows
	testenv.Eventually(t, 10*time.Second, func() error {
		if a := rb.do("GET", "/operations/"+op.Identifier+"/rowset", nil); a.status != http.StatusOK {
			return fmt.Errorf("A's operation through B: %d %s", a.status, a.body)
		} else if err := json.Unmarshal(a.body, &rows); err != nil {
			return err
		}
		return nil
	})
	if len(rows.Rows) != 1 || rows.Rows[0].Fields[0].Value != "from A" {
		t.Errorf("A's rows through B: %+v", rows)
	}

	var bt restBatch
	ra.ok("POST", "/batches", sparkBatch("shared", nil), &bt)
	var seen restBatch
	rb.ok("GET", "/batches/"+bt.ID, nil, &seen)
	if seen.ID != bt.ID || seen.Instance != a.restAddr {
		t.Errorf("B's view of A's batch: %+v", seen)
	}
	if done := rb.waitBatch(bt.ID, "FINISHED"); done.AppState != "SUCCEEDED" {
		t.Errorf("A's finished batch as B tells it: %+v", done)
	}
	// Only A has the output and the process: B asks A, with the caller's
	// credentials.
	var log struct {
		LogRowSet []string `json:"logRowSet"`
	}
	rb.ok("GET", "/batches/"+bt.ID+"/localLog?from=0&size=100", nil, &log)
	if !strings.Contains(strings.Join(log.LogRowSet, "\n"), "final status: SUCCEEDED") {
		t.Errorf("A's local log through B: %+v", log)
	}
	var long restBatch
	ra.ok("POST", "/batches", sparkBatch("long", map[string]string{"spark.stub.seconds": "60"}), &long)
	ra.waitBatch(long.ID, "RUNNING")
	var closed struct {
		Success bool   `json:"success"`
		Msg     string `json:"msg"`
	}
	rb.ok("DELETE", "/batches/"+long.ID, nil, &closed)
	if !closed.Success {
		t.Errorf("B cancelling A's batch: %+v", closed)
	}
	rb.waitBatch(long.ID, "CANCELED")
	if !strings.Contains(a.out.String(), `"forwarded_by": "`+b.restAddr+`"`) {
		t.Errorf("A's audit lines do not show the request B passed on")
	}
}

// A running batch counts against its user's connection limit, as a
// session does; it gives its slot back when it ends.
func TestRESTBatchLimits(t *testing.T) {
	home := sparkHome(t)
	g := startGateway(t, "kitsune.engineEnv.SPARK_HOME="+home, "kitsune.batch.state.check.interval=PT0.2S",
		"kitsune.server.limit.connections.per.user=1")
	alice := g.rest(t, "alice")
	var long restBatch
	alice.ok("POST", "/batches", sparkBatch("long", map[string]string{"spark.stub.seconds": "60"}), &long)
	if a := alice.do("POST", "/batches", sparkBatch("second", nil)); a.status != http.StatusTooManyRequests || a.err.ErrorCode != status.CodeLimitConnections {
		t.Errorf("a second batch over the limit: %d %s", a.status, a.body)
	}
	if a := alice.do("POST", "/sessions", map[string]any{}); a.status != http.StatusTooManyRequests || a.err.ErrorCode != status.CodeLimitConnections {
		t.Errorf("a session beside the running batch: %d %s", a.status, a.body)
	}
	g.rest(t, "bob").openSession(nil) // another user's limit is their own
	alice.ok("DELETE", "/batches/"+long.ID, nil, nil)
	var next restBatch
	alice.ok("POST", "/batches", sparkBatch("second", nil), &next)
	alice.waitBatch(next.ID, "FINISHED")
}
