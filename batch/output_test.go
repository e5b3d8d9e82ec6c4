package batch

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "out.log")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// spark-submit's YARN client reports, as Spark 3 prints them.
func TestReadReportYARN(t *testing.T) {
	r := readReport(write(t, `INFO Client: Submitted application application_1700000000000_0042
INFO Client: Application report for application_1700000000000_0042 (state: ACCEPTED)
INFO Client: Application report for application_1700000000000_0042 (state: RUNNING)
	 client token: N/A
	 diagnostics: N/A
	 tracking URL: http://rm:8088/proxy/application_1700000000000_0042/
	 final status: UNDEFINED
INFO Client: Application report for application_1700000000000_0042 (state: FINISHED)
	 diagnostics: User class threw exception: java.lang.ArithmeticException: / by zero
	 final status: FAILED
Exception in thread "main" org.apache.spark.SparkException: Application application_1700000000000_0042 finished with failed status
kitsune-batch-exit: 1
`))
	if r.appID != "application_1700000000000_0042" || r.appURL != "http://rm:8088/proxy/application_1700000000000_0042/" || r.final != "FAILED" ||
		r.appState != "FAILED" || r.diagnostic != "User class threw exception: java.lang.ArithmeticException: / by zero" || !r.exited || r.exitCode != 1 {
		t.Errorf("report: %+v", r)
	}
	if r := readReport(write(t, "INFO Client: Application report for application_1_2 (state: RUNNING)\n")); r.exited || r.appState != "RUNNING" || r.final != "" {
		t.Errorf("running: %+v", r)
	}
}

// Kubernetes' pod watcher: the application id is the spark-app-selector
// label, the state the driver pod's phase.
func TestReadReportKubernetes(t *testing.T) {
	r := readReport(write(t, `	 pod name: spark-pi-1a2b-driver
	 namespace: default
	 labels: spark-app-selector -> spark-7f3e9c, spark-role -> driver
	 phase: Running
	 phase: Succeeded
kitsune-batch-exit: 0
`))
	if r.appID != "spark-7f3e9c" || r.appState != "SUCCEEDED" || r.final != "SUCCEEDED" || r.exitCode != 0 || !r.exited {
		t.Errorf("report: %+v", r)
	}
}

func TestStatusReport(t *testing.T) {
	state, final, diag := statusReport("Application Report : \n\tApplication-Id : application_1_2\n\tState : FINISHED\n\tFinal-State : KILLED\n\tDiagnostics : killed by admin\n")
	if state != "FINISHED" || final != "KILLED" || diag != "killed by admin" {
		t.Errorf("status: %q %q %q", state, final, diag)
	}
	if _, final, _ := statusReport("\tState : RUNNING\n\tFinal-State : UNDEFINED\n"); final != "" {
		t.Errorf("a running application has no final state: %q", final)
	}
}

func TestLogLines(t *testing.T) {
	p := write(t, "a\nb\nc\nd\n")
	if got, total, _ := logLines(p, 1, 2); total != 4 || len(got) != 2 || got[0] != "b" {
		t.Errorf("from 1: %v %d", got, total)
	}
	if got, _, _ := logLines(p, -1, 3); len(got) != 3 || got[0] != "b" {
		t.Errorf("the last 3: %v", got)
	}
	if got, _, _ := logLines(p, 10, 3); len(got) != 0 {
		t.Errorf("past the end: %v", got)
	}
}

func TestBatchID(t *testing.T) {
	if id, err := batchID(Request{}); err != nil || len(id) != 36 {
		t.Errorf("a new id: %q %v", id, err)
	}
	if id, err := batchID(Request{ID: "0B1E4C8E-2A4D-4F5E-9C1A-5D3E2F1A0B9C"}); err != nil || id != "0b1e4c8e-2a4d-4f5e-9c1a-5d3e2f1a0b9c" {
		t.Errorf("the client's id: %q %v", id, err)
	}
	if _, err := batchID(Request{ID: "batch-1"}); err == nil {
		t.Error("an id that is no UUID was accepted")
	}
}

func TestProcessStart(t *testing.T) {
	me := os.Getpid()
	first := processStart(me)
	if first == 0 || processStart(me) != first {
		t.Errorf("this process's start: %d, then %d", first, processStart(me))
	}
	if !processAlive(me) {
		t.Error("this process is not alive")
	}
}
