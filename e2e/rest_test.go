//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// restClient calls a gateway's REST API as a Kyuubi REST client does:
// Basic credentials, JSON bodies, Kyuubi's paths under /api/v1.
type restClient struct {
	t          *testing.T
	base       string
	user, pass string
}

func (g *gateway) rest(t *testing.T, user string) *restClient {
	return &restClient{t: t, base: "http://" + g.restAddr + "/api/v1", user: user, pass: "pw"}
}

// restAnswer is one response: its status, body and, for errors, the
// error body's fields.
type restAnswer struct {
	status int
	body   []byte
	header http.Header
	err    struct {
		Message   string `json:"message"`
		SQLState  string `json:"sqlState"`
		ErrorCode int32  `json:"errorCode"`
	}
}

func (c *restClient) do(method, path string, body any) restAnswer {
	c.t.Helper()
	var in io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		in = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, in)
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.send(req)
}

func (c *restClient) send(req *http.Request) restAnswer {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	a := restAnswer{status: resp.StatusCode, header: resp.Header}
	a.body, _ = io.ReadAll(resp.Body)
	if a.status != http.StatusOK {
		_ = json.Unmarshal(a.body, &a.err)
	}
	return a
}

// ok calls and decodes a 200 answer into out (when not nil).
func (c *restClient) ok(method, path string, body, out any) restAnswer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != http.StatusOK {
		c.t.Fatalf("%s %s as %s: %d %s", method, path, c.user, a.status, a.body)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, a.body)
		}
	}
	return a
}

// keys are a JSON object's field names.
func keys(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %s", b)
	}
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

type restRows struct {
	Rows []struct {
		Fields []struct {
			DataType string `json:"dataType"`
			Value    any    `json:"value"`
		} `json:"fields"`
	} `json:"rows"`
	RowCount int `json:"rowCount"`
}

type restHandle struct {
	Identifier     string `json:"identifier"`
	KyuubiInstance string `json:"kyuubiInstance"`
}

// statement runs sql on session s and returns every row (Kyuubi's
// client polls the event until the state is terminal, then fetches).
func (c *restClient) statement(s, sql string) restRows {
	c.t.Helper()
	var op restHandle
	c.ok("POST", "/sessions/"+s+"/operations/statement", map[string]any{"statement": sql, "runAsync": false}, &op)
	var rows restRows
	c.ok("GET", "/operations/"+op.Identifier+"/rowset?maxrows=1000&fetchorientation=FETCH_NEXT", nil, &rows)
	return rows
}

func (c *restClient) openSession(configs map[string]string) string {
	c.t.Helper()
	var h restHandle
	c.ok("POST", "/sessions", map[string]any{"configs": configs}, &h)
	if h.Identifier == "" || h.KyuubiInstance == "" {
		c.t.Fatalf("session handle without identifier or instance: %+v", h)
	}
	return h.Identifier
}

func serverUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

// A REST session is an HS2 session: a statement's rows and types come
// back in Kyuubi's JSON, every metadata call opens an operation whose rows
// are HiveServer2's, and a table made over REST is the same table an HS2
// client of the same user sees (same engine).
func TestRESTSessionsAndOperations(t *testing.T) {
	g := startGateway(t)
	alice := g.rest(t, "alice")
	s := alice.openSession(map[string]string{"kitsune.engine.share.level": "USER"})

	rows := alice.statement(s, "SELECT 1 AS a, 'x' AS b, CAST(NULL AS INT) AS c, 2.5D AS d, true AS e")
	if rows.RowCount != 1 || len(rows.Rows) != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	want := []struct {
		kind  string
		value any
	}{{"I32_VAL", 1.0}, {"STRING_VAL", "x"}, {"I32_VAL", nil}, {"DOUBLE_VAL", 2.5}, {"BOOL_VAL", true}}
	for i, f := range rows.Rows[0].Fields {
		if f.DataType != want[i].kind || f.Value != want[i].value {
			t.Errorf("field %d = %s %v, want %s %v", i, f.DataType, f.Value, want[i].kind, want[i].value)
		}
	}

	alice.statement(s, "CREATE TABLE rest_t (id INT, name STRING)")
	alice.statement(s, "INSERT INTO rest_t VALUES (1, 'one'), (2, 'two')")
	conn := g.gohive(t, "alice", "NONE", false)
	defer conn.Close()
	if got, _ := query(t, conn, "SELECT name FROM rest_t ORDER BY id"); len(got) != 2 || got[1]["name"] != "two" {
		t.Errorf("HS2 client of alice does not see the REST session's table: %v", got)
	}

	// The statement's result metadata, event and log.
	var op restHandle
	alice.ok("POST", "/sessions/"+s+"/operations/statement", map[string]any{"statement": "SELECT CAST(1.5 AS DECIMAL(10,2)) AS dec, 'y' AS s"}, &op)
	var md struct {
		Columns []struct {
			ColumnName  string `json:"columnName"`
			DataType    string `json:"dataType"`
			ColumnIndex int    `json:"columnIndex"`
			Precision   int    `json:"precision"`
			Scale       int    `json:"scale"`
		} `json:"columns"`
	}
	alice.ok("GET", "/operations/"+op.Identifier+"/resultsetmetadata", nil, &md)
	if len(md.Columns) != 2 || md.Columns[0].ColumnName != "dec" || md.Columns[0].DataType != "DECIMAL" || md.Columns[0].Precision != 10 ||
		md.Columns[0].Scale != 2 || md.Columns[1].DataType != "STRING" {
		t.Errorf("result set metadata: %+v", md)
	}
	var ev struct {
		StatementID, Statement, State, SessionID, SessionUser, KyuubiInstance string
	}
	testenv.Eventually(t, 10*time.Second, func() error {
		alice.ok("GET", "/operations/"+op.Identifier+"/event", nil, &ev)
		if ev.State != "FINISHED" {
			return fmt.Errorf("state %s", ev.State)
		}
		return nil
	})
	if ev.StatementID != op.Identifier || !strings.Contains(ev.Statement, "DECIMAL(10,2)") || ev.SessionID != s || ev.SessionUser != "alice" {
		t.Errorf("operation event: %+v", ev)
	}
	var log struct {
		LogRowSet []string `json:"logRowSet"`
		RowCount  int      `json:"rowCount"`
	}
	alice.ok("GET", "/operations/"+op.Identifier+"/log", nil, &log)
	if log.RowCount != len(log.LogRowSet) {
		t.Errorf("log rowCount %d for %d lines", log.RowCount, len(log.LogRowSet))
	}
	var ops []struct{ Identifier, Statement, State string }
	alice.ok("GET", "/sessions/"+s+"/operations", nil, &ops)
	found := false
	for _, o := range ops {
		found = found || o.Identifier == op.Identifier && strings.Contains(o.Statement, "DECIMAL")
	}
	if !found {
		t.Errorf("the session's operations lack %s: %+v", op.Identifier, ops)
	}
	if a := alice.do("PUT", "/operations/"+op.Identifier, map[string]string{"action": "explode"}); a.status != http.StatusBadRequest {
		t.Errorf("unknown action: %d %s", a.status, a.body)
	}
	alice.ok("PUT", "/operations/"+op.Identifier, map[string]string{"action": "close"}, nil)
	if a := alice.do("GET", "/operations/"+op.Identifier+"/event", nil); a.status != http.StatusNotFound || a.err.ErrorCode != status.CodeRESTNotFound {
		t.Errorf("event of a closed operation: %d %s", a.status, a.body)
	}

	restMetadata(t, alice, s)

	// Session views.
	var info struct{ InfoType, InfoValue string }
	alice.ok("GET", "/sessions/"+s+"/info/13", nil, &info) // CLI_SERVER_NAME
	if info.InfoType != "CLI_SERVER_NAME" || info.InfoValue == "" {
		t.Errorf("info: %+v", info)
	}
	var count struct {
		OpenSessionCount int `json:"openSessionCount"`
	}
	alice.ok("GET", "/sessions/count", nil, &count)
	if count.OpenSessionCount != 2 { // the REST session and the HS2 one
		t.Errorf("open sessions: %d, want 2", count.OpenSessionCount)
	}
	a := alice.ok("GET", "/sessions/"+s, nil, nil)
	for _, k := range []string{"sessionId", "user", "clientIp", "engineId", "openedTime", "totalOperations"} {
		if !keys(t, a.body)[k] {
			t.Errorf("session event lacks %s: %s", k, a.body)
		}
	}
	alice.ok("DELETE", "/sessions/"+s, nil, nil)
	if a := alice.do("GET", "/sessions/"+s, nil); a.status != http.StatusNotFound {
		t.Errorf("closed session: %d %s", a.status, a.body)
	}
	if a := alice.do("POST", "/sessions/"+s+"/operations/statement", map[string]any{"statement": "SELECT 1"}); a.status != http.StatusNotFound {
		t.Errorf("statement on a closed session: %d %s", a.status, a.body)
	}
	if a := alice.do("POST", "/sessions/not-a-uuid/operations/statement", map[string]any{"statement": "SELECT 1"}); a.status != http.StatusBadRequest ||
		a.err.ErrorCode != status.CodeRESTBadRequest {
		t.Errorf("malformed handle: %d %s", a.status, a.body)
	}
}

// restMetadata runs every metadata endpoint and checks the rows that
// HiveServer2 would give.
func restMetadata(t *testing.T, c *restClient, s string) {
	fetch := func(kind string, body any) restRows {
		var op restHandle
		c.ok("POST", "/sessions/"+s+"/operations/"+kind, body, &op)
		var rows restRows
		c.ok("GET", "/operations/"+op.Identifier+"/rowset?maxrows=5000", nil, &rows)
		return rows
	}
	has := func(rows restRows, col int, want string) bool {
		for _, r := range rows.Rows {
			if col < len(r.Fields) && r.Fields[col].Value == want {
				return true
			}
		}
		return false
	}
	if r := fetch("typeInfo", nil); !has(r, 0, "INT") || !has(r, 0, "STRING") {
		t.Errorf("typeInfo lacks INT or STRING: %d rows", r.RowCount)
	}
	fetch("catalogs", nil)
	if r := fetch("schemas", map[string]string{"schemaName": "def%"}); !has(r, 0, "default") {
		t.Errorf("schemas: %+v", r)
	}
	if r := fetch("tables", map[string]any{"schemaName": "default", "tableName": "rest%"}); !has(r, 2, "rest_t") {
		t.Errorf("tables: %+v", r)
	}
	if r := fetch("tableTypes", nil); !has(r, 0, "TABLE") {
		t.Errorf("tableTypes: %+v", r)
	}
	if r := fetch("columns", map[string]string{"schemaName": "default", "tableName": "rest_t"}); r.RowCount != 2 || !has(r, 3, "name") {
		t.Errorf("columns: %+v", r)
	}
	if r := fetch("functions", map[string]string{"functionName": "upper"}); !has(r, 2, "upper") {
		t.Errorf("functions: %d rows", r.RowCount)
	}
	fetch("primaryKeys", map[string]string{"schemaName": "default", "tableName": "rest_t"})
	fetch("crossReference", map[string]string{"primarySchema": "default", "primaryTable": "rest_t", "foreignSchema": "default", "foreignTable": "rest_t"})
}

// Credentials: none is 401 with the schemes on offer, refused ones 403
// (LDAP here); who may see and touch what: a user their own sessions and
// operations, an administrator (kitsune.server.administrators and the
// gateway's own user) everyone's and the admin endpoints; proxyUser under
// the proxy-user rules. Every request leaves one audit line.
func TestRESTAuthAndVisibility(t *testing.T) {
	s := testenv.StartSlapd(t)
	g := startGateway(t, "kitsune.authentication=LDAP", "kitsune.authentication.ldap.url="+s.URL,
		"kitsune.authentication.ldap.baseDN=dc=example,dc=test", "kitsune.authentication.ldap.userDNPattern=uid=%s,ou=people,dc=example,dc=test",
		"kitsune.authentication.ldap.cache.ttl=0", "kitsune.server.administrators=bob",
		"kitsune.server.proxyuser.bob.users=alice", "kitsune.server.proxyuser.bob.hosts=*")
	alice := g.rest(t, "alice")
	alice.pass = "alicepw"
	bob := g.rest(t, "bob")
	bob.pass = "bobpw"

	anon := &restClient{t: t, base: alice.base}
	a := anon.do("GET", "/sessions", nil)
	if a.status != http.StatusUnauthorized || a.err.ErrorCode != status.CodeRESTUnauthenticated || !strings.Contains(a.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("no credentials: %d %v %s", a.status, a.header, a.body)
	}
	req, _ := http.NewRequest("GET", alice.base+"/sessions", nil)
	req.Header.Set("Authorization", "Bearer abc")
	if a := anon.send(req); a.status != http.StatusUnauthorized {
		t.Errorf("a Bearer token with no token authenticator: %d %s", a.status, a.body)
	}
	wrong := &restClient{t: t, base: alice.base, user: "alice", pass: "wrong"}
	if a := wrong.do("GET", "/sessions", nil); a.status != http.StatusForbidden || a.err.ErrorCode != status.CodeRESTUnauthenticated {
		t.Errorf("wrong password: %d %s", a.status, a.body)
	}
	if a := anon.do("GET", "/ping", nil); a.status != http.StatusOK || string(a.body) != "pong" {
		t.Errorf("ping needs no credentials: %d %s", a.status, a.body)
	}

	sa := alice.openSession(nil)
	// alice sees hers, not bob's; bob (an administrator) sees both.
	sb := bob.openSession(nil)
	var list []struct{ Identifier, User string }
	alice.ok("GET", "/sessions", nil, &list)
	if len(list) != 1 || list[0].Identifier != sa {
		t.Errorf("alice's sessions: %+v", list)
	}
	if a := alice.do("GET", "/sessions/"+sb, nil); a.status != http.StatusNotFound {
		t.Errorf("alice reads bob's session: %d %s", a.status, a.body)
	}
	if a := alice.do("DELETE", "/sessions/"+sb, nil); a.status != http.StatusNotFound {
		t.Errorf("alice closes bob's session: %d %s", a.status, a.body)
	}
	var op restHandle
	bob.ok("POST", "/sessions/"+sb+"/operations/statement", map[string]any{"statement": "SELECT 1"}, &op)
	if a := alice.do("GET", "/operations/"+op.Identifier+"/rowset", nil); a.status != http.StatusNotFound {
		t.Errorf("alice fetches bob's rows: %d %s", a.status, a.body)
	}
	if a := alice.do("GET", "/admin/sessions", nil); a.status != http.StatusForbidden || a.err.ErrorCode != status.CodeRESTForbidden {
		t.Errorf("alice on an admin endpoint: %d %s", a.status, a.body)
	}
	bob.ok("GET", "/admin/sessions", nil, &list)
	if len(list) != 2 {
		t.Errorf("the administrator's sessions: %+v", list)
	}
	var adminOps []struct{ Identifier string }
	bob.ok("GET", "/admin/operations?users=bob", nil, &adminOps)
	if len(adminOps) != 1 || adminOps[0].Identifier != op.Identifier {
		t.Errorf("admin operations of bob: %+v", adminOps)
	}
	bob.ok("DELETE", "/admin/operations/"+op.Identifier, nil, nil)
	if a := bob.ok("DELETE", "/admin/sessions/"+sa, nil, nil); !strings.Contains(string(a.body), "is closed successfully") {
		t.Errorf("admin close: %s", a.body)
	}
	alice.ok("GET", "/sessions", nil, &list)
	if len(list) != 0 {
		t.Errorf("alice's session outlived the admin's DELETE: %+v", list)
	}

	// Impersonation: bob may act as alice (rules); alice may not as bob.
	var h restHandle
	bob.ok("POST", "/sessions?proxyUser=alice", map[string]any{"configs": map[string]string{}}, &h)
	alice.ok("GET", "/sessions", nil, &list)
	if len(list) != 1 || list[0].Identifier != h.Identifier || list[0].User != "alice" {
		t.Errorf("bob's session as alice: %+v", list)
	}
	if a := alice.do("POST", "/sessions?hive.server2.proxy.user=bob", map[string]any{}); a.status != http.StatusForbidden || a.err.ErrorCode != status.CodeImpersonation {
		t.Errorf("alice as bob: %d %s", a.status, a.body)
	}

	// One audit line per request, with who, how, from where, what and the answer.
	testenv.Eventually(t, 5*time.Second, func() error {
		for _, want := range []string{`"user": "alice", "auth_type": "BASIC"`, `"proxy_user": "alice"`, `"uri": "/api/v1/admin/sessions", "status": 403`,
			`"method": "DELETE"`, `"status": 401`} {
			if !strings.Contains(g.out.String(), want) {
				return fmt.Errorf("no audit line with %s", want)
			}
		}
		return nil
	})
}
