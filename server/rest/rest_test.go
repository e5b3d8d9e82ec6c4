package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/inproc"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// twin is an in-memory Gateway over the in-process engine: it remembers
// the sessions and operations opened through it, with their owners.
type twin struct {
	*inproc.Engine
	mu       sync.Mutex
	sessions []Session
}

var _ Gateway = (*twin)(nil)

func (g *twin) CLI() tcli.TCLIService { return g }

func (g *twin) OpenSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	resp, err := g.Engine.OpenSession(ctx, req)
	if err == nil {
		g.mu.Lock()
		u := serve.PeerFrom(ctx).User
		g.sessions = append(g.sessions, Session{Handle: resp.SessionHandle, User: u, Owner: u, Created: time.Now(), LastAccess: time.Now()})
		g.mu.Unlock()
	}
	return resp, err
}

func (g *twin) Sessions() []Session {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Session(nil), g.sessions...)
}

func (g *twin) Session(_ context.Context, id []byte, user string) (Session, error) {
	for _, s := range g.Sessions() {
		if string(s.Handle.SessionId.GUID) == string(id) && (user == "" || s.Owner == user) {
			return s, nil
		}
	}
	return Session{}, errors.New("no such session")
}

func (g *twin) Operation(context.Context, []byte, string) (Operation, error) {
	return Operation{}, errors.New("no such operation")
}
func (g *twin) Engines(context.Context) ([]Engine, error)        { return nil, nil }
func (g *twin) DeleteEngine(context.Context, string, bool) error { return nil }
func (g *twin) Servers(context.Context) ([]ServerData, error)    { return nil, nil }
func (g *twin) Refresh(context.Context, string) error            { return nil }
func (g *twin) Impersonate(real, proxy, _ string) error {
	if real == "svc" && proxy == "alice" {
		return nil
	}
	return errors.New(real + " may not impersonate " + proxy)
}

// passwords accepts <user>pw.
type passwords struct{}

func (passwords) Authenticate(_ context.Context, user, password, _ string) (string, error) {
	if password != user+"pw" {
		return "", errors.New("authentication failed")
	}
	return user, nil
}

func newTestAPI(t *testing.T) (*httptest.Server, *twin) {
	g := &twin{Engine: inproc.NewEngine()}
	h := New(Config{Administrators: []string{"root"}, ServerUser: "kitsune", Version: "9.9", Instance: "gw:1", Passwords: passwords{}}, g, zap.NewNop())
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, g
}

func call(t *testing.T, srv *httptest.Server, user, method, path, body string) (int, errorBody, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if user != "" {
		req.SetBasicAuth(user, user+"pw")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	return resp.StatusCode, e, b
}

// The one layer every endpoint goes through: credentials (401 without,
// 403 refused), administrators, impersonation, and errors as JSON with
// their codes.
func TestAuthAndRefusals(t *testing.T) {
	srv, _ := newTestAPI(t)
	for _, c := range []struct {
		name, user, method, path, body string
		status                         int
		code                           int32
	}{
		{"no credentials", "", "GET", "/api/v1/sessions", "", 401, status.CodeRESTUnauthenticated},
		{"ping is open", "", "GET", "/api/v1/ping", "", 200, 0},
		{"not an admin", "alice", "GET", "/api/v1/admin/sessions", "", 403, status.CodeRESTForbidden},
		{"an admin", "root", "GET", "/api/v1/admin/sessions", "", 200, 0},
		{"the server's user is an admin", "kitsune", "GET", "/api/v1/admin/server", "", 200, 0},
		{"impersonation refused", "bob", "GET", "/api/v1/sessions?proxyUser=alice", "", 403, status.CodeImpersonation},
		{"impersonation allowed", "svc", "GET", "/api/v1/sessions?hive.server2.proxy.user=alice", "", 200, 0},
		{"bad JSON", "alice", "POST", "/api/v1/sessions", "{", 400, status.CodeRESTBadRequest},
		{"bad handle", "alice", "GET", "/api/v1/sessions/xyz", "", 400, status.CodeRESTBadRequest},
		{"unknown session", "alice", "GET", "/api/v1/sessions/0b1e4c8e-2a4d-4f5e-9c1a-5d3e2f1a0b9c", "", 404, status.CodeRESTNotFound},
		{"no such endpoint", "alice", "GET", "/api/v2/x", "", 404, status.CodeRESTNotFound},
		{"no batches here", "alice", "GET", "/api/v1/batches", "", 404, status.CodeRESTNotFound},
	} {
		got, e, body := call(t, srv, c.user, c.method, c.path, c.body)
		if got != c.status || e.ErrorCode != c.code {
			t.Errorf("%s: %d code %d, want %d code %d: %s", c.name, got, e.ErrorCode, c.status, c.code, body)
		}
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/sessions", nil)
	req.SetBasicAuth("alice", "wrong")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("wrong password: %d, want 403", resp.StatusCode)
	}
}

// A session opened over REST runs as the caller and only the caller (or
// an administrator) sees it; a statement's rows come back typed.
func TestSessionsThroughTheCLI(t *testing.T) {
	srv, g := newTestAPI(t)
	_, _, body := call(t, srv, "alice", "POST", "/api/v1/sessions", `{"configs": {}}`)
	var h SessionHandle
	if err := json.Unmarshal(body, &h); err != nil || h.KyuubiInstance != "gw:1" {
		t.Fatalf("open: %s", body)
	}
	if g.Sessions()[0].User != "alice" {
		t.Errorf("the session runs as %q", g.Sessions()[0].User)
	}
	var list []SessionData
	_, _, body = call(t, srv, "bob", "GET", "/api/v1/sessions", "")
	if json.Unmarshal(body, &list); len(list) != 0 {
		t.Errorf("bob sees %+v", list)
	}
	_, _, body = call(t, srv, "root", "GET", "/api/v1/sessions", "")
	if json.Unmarshal(body, &list); len(list) != 1 || list[0].Identifier != h.Identifier {
		t.Errorf("the administrator sees %+v", list)
	}
	if code, e, _ := call(t, srv, "alice", "POST", "/api/v1/sessions/"+h.Identifier+"/operations/statement", `{"statement": "FAIL now"}`); code != 500 || e.SQLState != "42000" {
		t.Errorf("a failing statement: %d %+v", code, e)
	}
	if code, _, b := call(t, srv, "alice", "POST", "/api/v1/sessions/"+h.Identifier+"/operations/statement", `{"statement": " "}`); code != 400 {
		t.Errorf("an empty statement: %d %s", code, b)
	}
}

func TestRowsFromColumns(t *testing.T) {
	rs := &tcli.TRowSet{Columns: []*tcli.TColumn{
		{I32Val: &tcli.TI32Column{Values: []int32{1, 0, 3}, Nulls: []byte{0b010}}},
		{StringVal: &tcli.TStringColumn{Values: []string{"a", "b", ""}, Nulls: []byte{0b100}}},
		{BinaryVal: &tcli.TBinaryColumn{Values: [][]byte{{1}, {2}, {3}}, Nulls: []byte{0}}},
	}}
	got := rows(rs)
	if len(got) != 3 || got[0].Fields[0].Value != int32(1) || got[1].Fields[0].Value != nil || got[2].Fields[1].Value != nil ||
		got[1].Fields[1].Value != "b" || got[0].Fields[2].Value != "AQ==" || got[0].Fields[1].DataType != "STRING_VAL" {
		t.Errorf("rows: %+v", got)
	}
	if got := rows(nil); got == nil || len(got) != 0 {
		t.Errorf("no row set: %+v", got)
	}
}

// Every route is in the OpenAPI document under its method, and every
// document path is a route.
func TestOpenAPICoversTheTable(t *testing.T) {
	h := New(Config{}, &twin{Engine: inproc.NewEngine()}, zap.NewNop())
	doc := openAPI(h.routes, "1")
	paths := doc["paths"].(map[string]map[string]any)
	n := 0
	for _, r := range h.routes {
		if _, ok := paths[prefix+r.path][strings.ToLower(r.method)]; !ok {
			t.Errorf("%s %s is not documented", r.method, r.path)
		}
	}
	for _, ms := range paths {
		n += len(ms)
	}
	if n != len(h.routes) {
		t.Errorf("%d documented operations for %d routes", n, len(h.routes))
	}
	if _, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)["Batch"]; !ok {
		t.Error("no Batch schema")
	}
}

// GET /ping is the readiness probe: 503 with the reason while the gateway
// does not take clients (starting, draining), pong otherwise.
func TestPingIsReadiness(t *testing.T) {
	ready := errors.New("draining: this gateway is stopping")
	h := New(Config{Ready: func() error { return ready }}, &twin{Engine: inproc.NewEngine()}, zap.NewNop())
	srv := httptest.NewServer(h)
	defer srv.Close()
	if code, e, _ := call(t, srv, "", "GET", ReadinessPath, ""); code != http.StatusServiceUnavailable || !strings.Contains(e.Message, "draining") {
		t.Errorf("draining: %d %+v", code, e)
	}
	ready = nil
	if code, _, body := call(t, srv, "", "GET", ReadinessPath, ""); code != http.StatusOK || string(body) != "pong" {
		t.Errorf("ready: %d %s", code, body)
	}
}
