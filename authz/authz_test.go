package authz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func mustParse(t *testing.T, s string) *Policies {
	t.Helper()
	ps, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestDecidePrecedence(t *testing.T) {
	ps := mustParse(t, policiesJSON)
	col := func(c string) Resource { return Resource{Database: "default", Table: "sales", Column: c} }
	cases := []struct {
		name   string
		s      Subject
		access string
		r      Resource
		want   bool
		policy int64
	}{
		{"allowed by user", Subject{User: "alice"}, Select, col("region"), true, 1},
		{"allowed by group", Subject{User: "gina", Groups: []string{"analysts"}}, Select, col("region"), true, 1},
		{"deny beats allow", Subject{User: "bob", Groups: []string{"analysts"}}, Select, col("amount"), false, 2},
		{"deny exception", Subject{User: "alice", Groups: []string{"analysts"}}, Select, col("amount"), true, 1},
		{"allow exception", Subject{User: "carol", Groups: []string{"analysts"}}, Select, col("region"), false, -1},
		{"higher priority first", Subject{User: "dave", Groups: []string{"analysts"}}, Select, col("amount"), true, 4},
		{"no policy", Subject{User: "alice"}, Update, col("region"), false, -1},
		{"table level needs column *", Subject{User: "alice"}, Select, Resource{Database: "default", Table: "sales"}, true, 1},
		{"case ignored", Subject{User: "alice"}, Select, Resource{Database: "DEFAULT", Table: "Sales", Column: "Region"}, true, 1},
		{"role", Subject{User: "frank"}, Drop, Resource{Database: "staging", Table: "t"}, true, 3},
		{"nested role by group", Subject{User: "x", Groups: []string{"batch"}}, Create, Resource{Database: "staging2", Table: "t"}, true, 3},
		{"wildcard does not match", Subject{User: "frank"}, Drop, Resource{Database: "prod", Table: "t"}, false, -1},
		{"disabled policy ignored", Subject{User: "zed"}, Select, col("region"), false, -1},
		{"deny all else", Subject{User: "erin"}, Select, Resource{Database: "finance", Table: "secret", Column: "x"}, false, -1},
		{"deny all else allows its own", Subject{User: "erin"}, Select, Resource{Database: "finance", Table: "ledger", Column: "x"}, true, 9},
		{"deny all else denies others", Subject{User: "alice"}, Select, Resource{Database: "finance", Table: "ledger", Column: "x"}, false, 9},
	}
	for _, c := range cases {
		d := ps.For(c.s).Decide(c.access, c.r)
		if d.Allowed != c.want || d.PolicyID != c.policy {
			t.Errorf("%s: %s %s on %s = %+v, want allowed=%v by %d", c.name, c.s.User, c.access, c.r, d, c.want, c.policy)
		}
	}
}

func TestVisibleFiltersAndMasks(t *testing.T) {
	ps := mustParse(t, policiesJSON)
	bob := ps.For(Subject{User: "bob"})
	if !bob.Visible(Resource{Database: "default"}) || !bob.Visible(Resource{Database: "default", Table: "sales"}) {
		t.Error("bob should see default and default.sales")
	}
	if bob.Visible(Resource{Database: "staging"}) || bob.Visible(Resource{Database: "default", Table: "orders"}) {
		t.Error("bob sees what no policy gives him")
	}
	f, ok := bob.RowFilter("default", "sales")
	if !ok || f.Expr != "region = 'west'" || f.PolicyID != 5 {
		t.Errorf("bob's row filter = %+v %v", f, ok)
	}
	if _, ok := ps.For(Subject{User: "alice"}).RowFilter("default", "sales"); ok {
		t.Error("alice has no row filter")
	}
	m, ok := bob.Mask(Resource{Database: "default", Table: "sales", Column: "card"})
	if !ok || m.Type != MaskShowLast4 || m.PolicyID != 6 {
		t.Errorf("bob's mask = %+v %v", m, ok)
	}
	if m, ok := ps.For(Subject{User: "alice"}).Mask(Resource{Database: "default", Table: "sales", Column: "card"}); ok {
		t.Errorf("alice's MASK_NONE item comes first: %+v", m)
	}
}

func TestParseErrorsNamePolicy(t *testing.T) {
	for _, doc := range []string{
		`{"policies": [{"id": 41, "name": "m", "policyType": 1, "resources": {"database": {"values": ["*"]}}, "dataMaskPolicyItems": [{"dataMaskInfo": {"dataMaskType": "MASK_ROT13"}}]}]}`,
		`{"policies": [{"id": 41, "name": "m", "policyType": 1, "resources": {"database": {"values": ["*"]}}, "dataMaskPolicyItems": [{"dataMaskInfo": {"dataMaskType": "CUSTOM"}}]}]}`,
		`{"policies": [{"id": 41, "name": "m", "policyType": 5}]}`,
	} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "policy 41 (m)") {
			t.Errorf("Parse(%s) = %v, want an error naming policy 41", doc, err)
		}
	}
	if _, err := Parse([]byte(`{"policies": [`)); err == nil {
		t.Error("truncated JSON parsed")
	}
}

func TestDenialText(t *testing.T) {
	got := Denial("bob", Select, Resource{Database: "default", Table: "sales", Column: "amount"})
	if got != "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]" {
		t.Error(got)
	}
}

func TestFileReloadsAndKeepsLastGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policies.json")
	if err := os.WriteFile(path, []byte(policiesJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(path, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if f.Policies().Version() != 7 {
		t.Fatal("version")
	}
	next := strings.Replace(policiesJSON, `"policyVersion": 7`, `"policyVersion": 8`, 1)
	if err := os.WriteFile(path, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	if v := f.Policies().Version(); v != 8 {
		t.Fatalf("after an edit version = %d, want 8", v)
	}
	if err := os.WriteFile(path, []byte(`{"policies": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if v := f.Policies().Version(); v != 8 {
		t.Fatalf("a broken file replaced the policies: version %d", v)
	}
	if _, err := OpenFile(filepath.Join(t.TempDir(), "none.json"), zap.NewNop()); err == nil || !strings.Contains(err.Error(), "kitsune.authorization.policy.file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestPollerWritesDownloadAndRoles(t *testing.T) {
	version := "7"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/service/plugins/policies/download/hive"):
			if r.URL.Query().Get("lastKnownVersion") == version {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			_, _ = w.Write([]byte(strings.Replace(policiesJSON, `"policyVersion": 7`, `"policyVersion": `+version, 1)))
		case strings.HasPrefix(r.URL.Path, "/service/roles/download/hive"):
			_, _ = w.Write([]byte(`{"roleVersion": 1, "rangerRoles": [{"name": "etl", "users": [{"name": "henry"}]}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "hive.json")
	p := &Poller{URL: srv.URL, Service: "hive", Path: path, Interval: time.Hour, Client: srv.Client(), Log: zap.NewNop()}
	if err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(path, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if !f.Policies().For(Subject{User: "henry"}).Decide(Drop, Resource{Database: "staging", Table: "t"}).Allowed {
		t.Error("the downloaded role did not reach the file")
	}
	version = "9"
	if err := p.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := f.Policies().Version(); v != 9 {
		t.Errorf("after a new download version = %d", v)
	}
	bad := &Poller{URL: srv.URL, Service: "nope", Path: path, Client: srv.Client(), Log: zap.NewNop()}
	if err := bad.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "kitsune.authorization.ranger.service.name") {
		t.Errorf("unknown service: %v", err)
	}
}
