//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beltran/gohive"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
)

// scrape reads a gateway's /metrics.
func scrape(t *testing.T, g *gateway) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + g.metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value is the value of the family's series with those labels (k=v).
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			match = match && have[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// readLines reads every JSON line of the files matching pattern.
func readLines(t *testing.T, pattern string) []map[string]any {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	var out []map[string]any
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: not JSON: %s", f, sc.Text())
			}
			out = append(out, m)
		}
		fh.Close()
	}
	return out
}

// After a known workload, /metrics counts it; the event log has the
// server's, sessions' and operations' events with Kyuubi's fields; the
// audit log has one line per login attempt and per statement, with the
// statement's secrets redacted.
func TestMetricsEventsAndAudit(t *testing.T) {
	s := testenv.StartSlapd(t)
	events, audit := t.TempDir(), filepath.Join(t.TempDir(), "audit.log")
	g := startGateway(t, "kitsune.authentication=LDAP", "kitsune.authentication.ldap.url="+s.URL,
		"kitsune.authentication.ldap.baseDN=dc=example,dc=test", "kitsune.authentication.ldap.userDNPattern=uid=%s,ou=people,dc=example,dc=test",
		"kitsune.authentication.ldap.cache.ttl=0", "kitsune.backend.server.event.loggers=JSON", "kitsune.backend.server.event.json.log.path="+events,
		"kitsune.audit.log.path="+audit, testSecret, "kitsune.server.administrators=bob")

	if _, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: "alice", Password: "wrong"}); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	cfg := gohive.NewConnectConfiguration()
	cfg.Username, cfg.Password = "alice", "alicepw"
	host, port := hostPort(t, g.binAddr)
	conn, err := gohive.Connect(host, port, "LDAP", cfg)
	if err != nil {
		t.Fatal(err)
	}
	query(t, conn, "SELECT 1 AS one")
	query(t, conn, "SELECT 'a' AS x /* secret=hunter2 */")
	if _, _, err := tryQuery(conn, "SELECT * FROM no_such_table"); err == nil {
		t.Fatal("a query of a missing table succeeded")
	}
	bob := g.rest(t, "bob")
	bob.pass = "bobpw"
	rs := bob.openSession(nil)
	bob.statement(rs, "SELECT 2 AS two")
	bob.ok("DELETE", "/sessions/"+rs, nil, nil)
	conn.Close()

	fams := scrape(t, g)
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
		max    float64
	}{
		{"kitsune_connections_total", []string{"transport=binary", "user=alice"}, 1, 1},
		{"kitsune_connections_total", []string{"transport=rest", "user=bob"}, 3, 10},
		{"kitsune_connections_failed_total", []string{"transport=binary"}, 1, 1},
		{"kitsune_auth_failures_total", []string{"method=PLAIN"}, 1, 1},
		{"kitsune_sessions_opened_total", []string{"transport=binary"}, 1, 1},
		{"kitsune_sessions_opened_total", []string{"transport=http"}, 1, 1},   // the REST session
		{"kitsune_operations_total", []string{"type=ExecuteStatement"}, 4, 4}, // alice's three, bob's one
		{"kitsune_operations_failed_total", []string{"type=ExecuteStatement", "kind=42"}, 1, 1},
		{"kitsune_operation_duration_seconds", []string{"type=ExecuteStatement"}, 4, 4},
		{"kitsune_rpc_duration_seconds", []string{"method=ExecuteStatement"}, 3, 3}, // REST calls are no Thrift RPCs
		{"kitsune_rpc_duration_seconds", []string{"method=OpenSession"}, 1, 1},
		{"kitsune_rest_request_duration_seconds", []string{"method=POST", "status=2xx"}, 2, 2},
		{"kitsune_engine_launches_total", []string{"type=DUCKDB"}, 2, 2},
		{"kitsune_engine_startup_seconds", []string{"type=DUCKDB"}, 2, 2},
		{"kitsune_engines", []string{"type=DUCKDB", "share_level=USER"}, 2, 2},
		{"kitsune_sessions_open", nil, 0, 0},
		{"kitsune_operations_open", nil, 0, 0},
		{"kitsune_engine_launch_permits_in_use", nil, 0, 0},
		{"kitsune_events_dropped_total", nil, 0, 0},
		{"kitsune_operation_state_transitions_total", []string{"state=FINISHED"}, 1, 10},
		{"kitsune_operation_state_transitions_total", []string{"state=ERROR"}, 1, 1},
	} {
		v, ok := value(fams, c.name, c.labels...)
		if !ok || v < c.min || v > c.max {
			t.Errorf("%s%v = %v (present %v), want %v..%v", c.name, c.labels, v, ok, c.min, c.max)
		}
	}
	if v, _ := value(fams, "kitsune_fetched_bytes_total"); v <= 0 {
		t.Errorf("kitsune_fetched_bytes_total = %v", v)
	}
	if v, _ := value(fams, "kitsune_fetched_rows_total"); v != 3 { // alice's two rows, bob's one over REST
		t.Errorf("kitsune_fetched_rows_total = %v, want 3", v)
	}
	for _, runtime := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := value(fams, runtime); !ok {
			t.Errorf("no %s", runtime)
		}
	}

	// A local engine's own metrics, through the gateway.
	var es []struct{ Attributes map[string]string }
	bob.ok("GET", "/admin/engine?proxyUser=alice", nil, &es)
	if len(es) != 1 {
		t.Fatalf("alice's engines: %+v", es)
	}
	resp, err := http.Get("http://" + g.metricsAddr + "/metrics/engines/" + es[0].Attributes["kyuubi.engine.id"])
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	efams, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := value(efams, "kitsune_engine_operations_total"); v < 3 {
		t.Errorf("the engine's operations: %v", v)
	}
	if v, ok := value(efams, "kitsune_engine_duckdb_memory_bytes"); !ok || v < 0 {
		t.Errorf("the engine's DuckDB memory: %v %v", v, ok)
	}
	if resp, err := http.Get("http://" + g.metricsAddr + "/metrics/engines/nope"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown engine's metrics: %v %v", resp, err)
	}

	g.stop() // the event log is written out when the gateway stops
	checkEvents(t, events)
	checkAudit(t, audit)
}

func checkEvents(t *testing.T, dir string) {
	server := readLines(t, filepath.Join(dir, "kitsune_server_info", "day=*", "*.json"))
	if len(server) != 2 || server[0]["state"] != "STARTED" || server[1]["state"] != "STOPPED" || server[0]["VERSION"] == "" {
		t.Errorf("server events: %v", server)
	}
	if conf, _ := server[0]["serverConf"].(map[string]any); conf == nil || conf["kitsune.engine.security.secret"] != "******" {
		t.Errorf("the server event's configuration shows the secret: %v", server[0]["serverConf"])
	}
	sessions := readLines(t, filepath.Join(dir, "kitsune_session_event", "day=*", "*.json"))
	states := map[string]int{}
	for _, e := range sessions {
		for _, k := range []string{"sessionId", "user", "clientIP", "engineId", "openedTime", "totalOperations", "eventTime"} {
			if _, ok := e[k]; !ok {
				t.Errorf("session event without %s: %v", k, e)
			}
		}
		states[fmt.Sprint(e["user"], " ", e["state"])]++
	}
	if states["alice OPENED"] != 1 || states["alice CLOSED"] != 1 || states["bob CLOSED"] != 1 {
		t.Errorf("session events: %v", states)
	}
	ops := readLines(t, filepath.Join(dir, "kitsune_operation_event", "day=*", "*.json"))
	seen := map[string]bool{}
	for _, e := range ops {
		seen[fmt.Sprint(e["statement"], " ", e["state"])] = true
		if strings.Contains(fmt.Sprint(e["statement"]), "hunter2") {
			t.Errorf("an operation event shows a secret: %v", e)
		}
	}
	failed := false
	for _, e := range ops {
		failed = failed || e["statement"] == "SELECT * FROM no_such_table" && e["state"] == "ERROR" && strings.Contains(fmt.Sprint(e["exception"]), "no_such_table")
	}
	if !failed {
		t.Errorf("no ERROR event with the exception for the failing statement: %v", ops)
	}
	for _, want := range []string{"SELECT 1 AS one INITIALIZED", "SELECT 1 AS one CLOSED", "SELECT 2 AS two CLOSED"} {
		if !seen[want] {
			t.Errorf("no operation event %q in %v", want, seen)
		}
	}
}

func checkAudit(t *testing.T, path string) {
	lines := readLines(t, path)
	var failed, ok, statements int
	for _, l := range lines {
		switch l["msg"] {
		case "authentication":
			if l["result"] == "FAILED" && l["user"] == "alice" && l["method"] == "PLAIN" && l["reason"] != "" {
				failed++
			}
			if l["result"] == "OK" && l["remote"] != "" {
				ok++
			}
		case "statement":
			statements++
			if strings.Contains(fmt.Sprint(l["statement"]), "hunter2") {
				t.Errorf("the audit log shows a secret: %v", l)
			}
			for _, k := range []string{"user", "effective_user", "session", "engine", "statement", "state", "duration", "rows"} {
				if _, ok := l[k]; !ok {
					t.Errorf("statement audit line without %s: %v", k, l)
				}
			}
		}
	}
	if failed != 1 || ok < 2 || statements != 4 {
		t.Errorf("audit: %d failed logins, %d good ones, %d statements (want 1, ≥2, 4):\n%v", failed, ok, statements, lines)
	}
}
