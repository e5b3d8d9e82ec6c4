//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// POST /admin/refresh/* reloads the configuration files without a
// restart: a deny list added to the file applies only once refreshed (and
// is lifted the same way), and so do a user's defaults.
func TestRESTAdminRefresh(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kitsune-defaults.conf")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kitsune.server.limit.connections.user.deny.list=\n")
	g := startGatewayEnv(t, []string{"KITSUNE_CONF_DIR=" + dir})
	admin, carol, alice := g.rest(t, serverUser(t)), g.rest(t, "carol"), g.rest(t, "alice")
	carol.openSession(nil)

	write("kitsune.server.limit.connections.user.deny.list=carol\nkitsune.server.limit.connections.ip.deny.list=127.0.0.1\n" +
		"___alice___.kitsune.engine.share.level.subdomain=refreshed\n")
	carol.openSession(nil) // not refreshed yet: the running settings hold
	if a := carol.do("POST", "/admin/refresh/deny_users", nil); a.status != http.StatusForbidden || a.err.ErrorCode != status.CodeRESTForbidden {
		t.Errorf("carol refreshes: %d %s", a.status, a.body)
	}
	if a := admin.ok("POST", "/admin/refresh/deny_users", nil, nil); string(a.body) != "Refresh the deny users successfully." {
		t.Errorf("refresh answer: %s", a.body)
	}
	if a := carol.do("POST", "/sessions", map[string]any{}); a.status != http.StatusTooManyRequests || a.err.ErrorCode != status.CodeDeniedUser {
		t.Errorf("carol after the deny list was refreshed: %d %s", a.status, a.body)
	}
	alice.openSession(nil) // the address deny list is not refreshed yet
	admin.ok("POST", "/admin/refresh/deny_ips", nil, nil)
	if a := alice.do("POST", "/sessions", map[string]any{}); a.status != http.StatusTooManyRequests || a.err.ErrorCode != status.CodeDeniedAddress {
		t.Errorf("alice from a denied address: %d %s", a.status, a.body)
	}
	write("___alice___.kitsune.engine.share.level.subdomain=refreshed\n")
	admin.ok("POST", "/admin/refresh/deny_ips", nil, nil)
	admin.ok("POST", "/admin/refresh/deny_users", nil, nil)
	carol.openSession(nil) // lifted

	var engines []struct{ User, Subdomain string }
	admin.ok("POST", "/admin/refresh/user_defaults_conf", nil, nil)
	alice.openSession(nil)
	admin.ok("GET", "/admin/engine?proxyUser=alice&subdomain=refreshed", nil, &engines)
	if len(engines) != 1 || engines[0].User != "alice" {
		t.Errorf("alice's engine after her defaults were refreshed: %+v", engines)
	}
	if a := admin.do("POST", "/admin/refresh/hadoop_conf", nil); a.status != http.StatusNotFound {
		t.Errorf("refreshing what cannot be: %d %s", a.status, a.body)
	}
}

// DELETE /admin/engine deregisters the caller's engine: its sessions go
// on and it stops with its last one; the next session gets a new engine
// (a local engine's, once the old one let go of its database: until then
// a new session waits, and is refused naming the engine after the launch
// timeout); kill=true stops it at once.
func TestRESTAdminEngine(t *testing.T) {
	g := startGateway(t, "kitsune.session.engine.initialize.timeout=PT2S")
	alice := g.rest(t, "alice")
	s1 := alice.openSession(nil)
	type engine struct {
		User, EngineType, Sharelevel, Instance string
		Attributes                             map[string]string
	}
	var es []engine
	alice.ok("GET", "/admin/engine", nil, &es)
	if len(es) != 1 || es[0].User != "alice" || es[0].EngineType != "DUCKDB" || es[0].Sharelevel != "USER" {
		t.Fatalf("alice's engines: %+v", es)
	}
	first := es[0].Attributes["kyuubi.engine.id"]
	if g.rest(t, "bob").ok("GET", "/admin/engine", nil, &es); len(es) != 0 {
		t.Errorf("bob sees alice's engine: %+v", es)
	}
	if a := alice.ok("DELETE", "/admin/engine", nil, nil); !strings.Contains(string(a.body), first) {
		t.Errorf("delete answer: %s", a.body)
	}
	if rows := alice.statement(s1, "SELECT 41 + 1 AS v"); rows.Rows[0].Fields[0].Value != 42.0 {
		t.Errorf("the deregistered engine's session: %+v", rows)
	}
	if a := alice.do("POST", "/sessions", map[string]any{}); a.err.ErrorCode != status.CodeNoEngine || !strings.Contains(a.err.Message, first+" of ") {
		t.Errorf("a session while the deregistered engine holds the database: %d %s", a.status, a.body)
	}
	if enginePID(g.workDir, first) == 0 {
		t.Fatal("the deregistered engine stopped while its session was open")
	}
	alice.ok("DELETE", "/sessions/"+s1, nil, nil)
	testenv.Eventually(t, 20*time.Second, func() error { return gone(enginePID(g.workDir, first)) })
	alice.openSession(nil)
	alice.ok("GET", "/admin/engine", nil, &es)
	if len(es) != 1 || es[0].Attributes["kyuubi.engine.id"] == first {
		t.Fatalf("the next session did not get a new engine: %+v", es)
	}
	second := es[0].Attributes["kyuubi.engine.id"]
	alice.ok("DELETE", "/admin/engine?kill=true", nil, nil)
	testenv.Eventually(t, 20*time.Second, func() error { return gone(enginePID(g.workDir, second)) })
	if a := alice.do("DELETE", "/admin/engine", nil); a.status != http.StatusNotFound {
		t.Errorf("deleting no engine: %d %s", a.status, a.body)
	}
	var servers []struct {
		Host   string
		Port   int
		Status string
	}
	g.rest(t, serverUser(t)).ok("GET", "/admin/server", nil, &servers)
	if len(servers) != 1 || fmt.Sprintf("%s:%d", servers[0].Host, servers[0].Port) != g.binAddr || servers[0].Status != "Running" {
		t.Errorf("servers: %+v (binary %s)", servers, g.binAddr)
	}
}

type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// The OpenAPI document and the handlers agree: every documented path and
// method is served (a handler answers, not the fallback), a path it does
// not document is not, and the documented response schemas have the
// fields real answers carry.
func TestRESTOpenAPI(t *testing.T) {
	g := startGateway(t)
	admin := g.rest(t, serverUser(t))
	resp, err := http.Get("http://" + g.restAddr + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var paths []string
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) < 25 {
		t.Errorf("only %d documented paths", len(paths))
	}
	id := uuid.NewString()
	for _, p := range paths {
		for method := range doc.Paths[p] {
			path := strings.TrimPrefix(p, "/api/v1")
			for _, param := range []string{"{sessionHandle}", "{operationHandle}", "{batchId}", "{what}"} {
				path = strings.ReplaceAll(path, param, id)
			}
			path = strings.ReplaceAll(path, "{infoType}", "13")
			a := admin.do(strings.ToUpper(method), path, map[string]any{})
			if a.status == http.StatusMethodNotAllowed || strings.HasPrefix(a.err.Message, "no endpoint") {
				t.Errorf("documented %s %s is not served: %d %s", method, p, a.status, a.body)
			}
		}
	}
	for _, undocumented := range []string{"/nothing", "/sessions/" + id + "/nothing"} {
		if a := admin.do("GET", undocumented, nil); a.status != http.StatusNotFound || !strings.HasPrefix(a.err.Message, "no endpoint") {
			t.Errorf("undocumented %s: %d %s", undocumented, a.status, a.body)
		}
	}
	// Schemas against answers.
	same := func(schema string, body []byte) {
		t.Helper()
		got := keys(t, body)
		props := doc.Components.Schemas[schema].Properties
		if len(props) == 0 {
			t.Errorf("no schema %s", schema)
		}
		for k := range props {
			if !got[k] {
				t.Errorf("%s documents %s, the answer lacks it: %s", schema, k, body)
			}
		}
		for k := range got {
			if _, ok := props[k]; !ok {
				t.Errorf("the answer carries %s, %s does not document it", k, schema)
			}
		}
	}
	a := admin.ok("POST", "/sessions", map[string]any{"configs": map[string]string{}}, nil)
	same("SessionHandle", a.body)
	var h restHandle
	_ = json.Unmarshal(a.body, &h)
	var list []json.RawMessage
	admin.ok("GET", "/sessions", nil, &list)
	same("SessionData", list[0])
	a = admin.ok("POST", "/sessions/"+h.Identifier+"/operations/statement", map[string]any{"statement": "SELECT 1 AS one"}, nil)
	same("OperationHandle", a.body)
	var op restHandle
	_ = json.Unmarshal(a.body, &op)
	same("OperationEvent", admin.ok("GET", "/operations/"+op.Identifier+"/event", nil, nil).body)
	same("ResultSetMetaData", admin.ok("GET", "/operations/"+op.Identifier+"/resultsetmetadata", nil, nil).body)
	same("ResultRowSet", admin.ok("GET", "/operations/"+op.Identifier+"/rowset", nil, nil).body)
	same("VersionInfo", admin.ok("GET", "/version", nil, nil).body)
	// An error answer carries sqlState when the refusal has one (a
	// limit's 08004); every field of the schema then.
	same("Error", admin.do("POST", "/sessions", map[string]any{"configs": map[string]string{"kitsune.no.such.key": "1"}}).body)
}

// Kerberos over REST: curl --negotiate (MIT's SPNEGO) and kitsune ctl
// --principal authenticate; no token is 401 Negotiate, a bad one 403.
func TestRESTKerberos(t *testing.T) {
	k := startKerberosGateway(t, "KERBEROS")
	_, port := hostPort(t, k.restAddr)
	base := "http://localhost:" + strconv.Itoa(port) + "/api/v1"
	resp, err := http.Get(base + "/sessions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Negotiate" {
		t.Errorf("no token: %d %q, want 401 Negotiate", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest("GET", base+"/sessions", nil)
	req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString([]byte("not a token")))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a bad token: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	curl := exec.Command("curl", "-sS", "--negotiate", "-u", ":", "-XPOST", "-H", "Content-Type: application/json", "-d", `{"configs":{}}`, base+"/sessions")
	curl.Env = append(os.Environ(), k.kdc.Env(k.aliceCC)...)
	out, err := curl.CombinedOutput()
	var h restHandle
	if err != nil || json.Unmarshal(out, &h) != nil || h.Identifier == "" {
		t.Fatalf("curl --negotiate POST /sessions: %v %s", err, out)
	}
	ctl := exec.Command(kitsuneBin, "ctl", "--rest-url", "http://localhost:"+strconv.Itoa(port), "--principal", "HTTP/_HOST@EXAMPLE.TEST",
		"--proxy-user", "carol", "--output", "json", "list", "batch")
	ctl.Env = append(os.Environ(), k.kdc.Env(k.aliceCC)...)
	if out, err := ctl.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "[]" {
		t.Errorf("kitsune ctl --principal: %v %s", err, out)
	}
	if !strings.Contains(k.out.String(), `"user": "alice", "auth_type": "KERBEROS"`) || !strings.Contains(k.out.String(), `"proxy_user": "carol"`) {
		t.Errorf("no Kerberos audit lines:\n%s", k.out.String())
	}
}
