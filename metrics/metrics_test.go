package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func exported(t *testing.T) string {
	m := New()
	m.Watch(Sources{Sessions: func() int { return 3 }, Engines: func() map[[2]string]int { return map[[2]string]int{{"DUCKDB", "USER"}: 2} },
		Launches: func() (int, int) { return 1, 4 }, Batches: func() map[string]int { return map[string]int{"RUNNING": 1} },
		QueueDepth: func() map[string]int { return map[string]int{"etl": 2} }, ZooKeeper: func() bool { return true }})
	m.Login("binary", "PLAIN", "alice", nil)
	m.Login("http", "KERBEROS", "", errors.New("bad ticket"))
	m.ConnectionOpen("binary", 1)
	m.Call("ExecuteStatement", time.Millisecond)
	m.REST("GET", 404, time.Millisecond)
	m.SessionOpened("binary")
	m.OperationOpened("GetTables")
	m.OperationFailed("GetTables", "42")
	m.OperationClosed("GetTables", time.Second)
	m.Fetched(100, 7)
	m.Launched("DUCKDB", time.Second, "")
	m.Launched("SPARK_SQL", time.Second, "timeout")
	m.EventDropped()
	m.StateChanged("FINISHED")
	m.ZooKeeperExpired()
	m.StoreCall("GetSession", errors.New("down"))
	m.StoreRetried()
	m.QueueWaited("etl", time.Second)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestExposition(t *testing.T) {
	out := exported(t)
	for _, want := range []string{
		`kitsune_connections_total{transport="binary",user="alice"} 1`,
		`kitsune_connections_failed_total{transport="http"} 1`,
		`kitsune_auth_failures_total{method="KERBEROS"} 1`,
		`kitsune_sessions_open 3`,
		`kitsune_engines{share_level="USER",type="DUCKDB"} 2`,
		`kitsune_engine_launches_waiting 4`,
		`kitsune_batches{state="RUNNING"} 1`,
		`kitsune_rest_request_duration_seconds_count{method="GET",status="4xx"} 1`,
		`kitsune_operations_failed_total{kind="42",type="GetTables"} 1`,
		`kitsune_engine_launch_failures_total{reason="timeout",type="SPARK_SQL"} 1`,
		`kitsune_operations_open 0`,
		`kitsune_operation_state_transitions_total{state="FINISHED"} 1`,
		`kitsune_zookeeper_session_expiries_total 1`,
		`kitsune_metadata_store_failures_total{call="GetSession"} 1`,
		`kitsune_metadata_store_retries_total 1`,
		`kitsune_engine_queue_wait_seconds_count{queue="etl"} 1`,
		`kitsune_engine_queue_waiting{queue="etl"} 2`,
		`kitsune_zookeeper_connected 1`,
		`kitsune_fetched_rows_total 7`,
		"go_goroutines", "process_cpu_seconds_total",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in the exposition", want)
		}
	}
}

// The Grafana dashboard is built from names the gateway exports.
func TestDashboardNamesExist(t *testing.T) {
	out := exported(t)
	dash, err := os.ReadFile("../docs/grafana/kitsune.json")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`\b(kitsune_[a-z_]+|process_[a-z_]+|go_[a-z_]+)`).FindAllString(string(dash), -1)
	if len(names) < 15 {
		t.Fatalf("only %d metric names in the dashboard", len(names))
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_count"), "_sum")
		if !strings.Contains(out, "# TYPE "+base+" ") {
			t.Errorf("the dashboard uses %s, which is not exported", n)
		}
	}
}
