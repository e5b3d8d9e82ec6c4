//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beltran/gohive"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// authzPolicies, in Ranger's Hive service format: group admins may do
// anything; group analysts reads default.sales and default.orders, but
// not sales.amount (a deny item), only the west rows of sales (a row
// filter) and the last four characters of sales.card (a mask); nobody
// else reads anything.
const authzPolicies = `{"serviceName": "hive", "policyVersion": %d, "policies": [
 {"id": 10, "name": "admins", "policyType": 0,
  "resources": {"database": {"values": ["*"]}, "table": {"values": ["*"]}, "column": {"values": ["*"]}},
  "policyItems": [{"accesses": [{"type": "all"}], "groups": ["admins"]}]},
 {"id": 11, "name": "analysts read", "policyType": 0,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales", "orders"]}, "column": {"values": ["*"]}},
  "policyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"]}]},
 {"id": 12, "name": "no amount", "policyType": 0, "isEnabled": %t,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["amount"]}},
  "denyPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"]}]},
 {"id": 13, "name": "west only", "policyType": 2,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}},
  "rowFilterPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"], "rowFilterInfo": {"filterExpr": "region = 'west'"}}]},
 {"id": 14, "name": "card", "policyType": 1,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["card"]}},
  "dataMaskPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"], "dataMaskInfo": {"dataMaskType": "MASK_SHOW_LAST_4"}}]}
]}`

var authzSetup = []string{
	"CREATE TABLE sales (id INT, region STRING, amount DOUBLE, card STRING)",
	"INSERT INTO sales VALUES (1, 'west', 10.5, '4111-1111-1111-1234'), (2, 'east', 20.0, '5500-0000-0000-0004'), (3, 'west', 30.0, '3700-0000-0000-9876')",
	"CREATE TABLE orders (id INT, sale_id INT, qty INT)",
	"INSERT INTO orders VALUES (100, 1, 5), (200, 2, 7), (300, 3, 9)",
	"CREATE TABLE secret (k STRING)",
	"INSERT INTO secret VALUES ('top')",
}

// authzChecks are what bob (group analysts) tries, and what HiveServer2
// with Ranger (and Kyuubi's plugin) answers: rows through the row filter
// and the mask, or SQLSTATE 42000 with the plugin's message.
var authzChecks = []struct {
	q    string
	rows string // "id region card" lines joined by |, or the refusal
}{
	{"SELECT id, region, card FROM sales ORDER BY id", "1 west nnnnUnnnnUnnnnU1234|3 west nnnnUnnnnUnnnnU9876"},
	{"WITH c AS (SELECT id, card FROM sales) SELECT c.id, o.qty FROM c JOIN orders o ON o.sale_id = c.id ORDER BY c.id", "1 5|3 9"},
	{"SELECT count(*) AS n FROM sales", "2"},
	{"SELECT amount FROM sales", "42000 Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]"},
	{"SELECT * FROM sales", "42000 Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]"},
	{"SELECT k FROM secret", "42000 Permission denied: user [bob] does not have [select] privilege on [default/secret/k]"},
	{"INSERT INTO orders VALUES (400, 1, 1)", "42000 Permission denied: user [bob] does not have [update] privilege on [default/orders]"},
	{"DROP TABLE secret", "42000 Permission denied: user [bob] does not have [drop] privilege on [default/secret]"},
}

func writePolicies(t *testing.T, path string, version int, denyAmount bool) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf(authzPolicies, version, denyAmount)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func authzGateway(t *testing.T, extra ...string) (*gateway, string) {
	policies := filepath.Join(t.TempDir(), "policies.json")
	writePolicies(t, policies, 1, true)
	confs := append([]string{"kitsune.engine.share.level=SERVER", "kitsune.authorization.enabled=true", "kitsune.authorization.policy.file=" + policies,
		"kitsune.session.group.mapping=" + writeFile(t, "alice=admins\nbob=analysts\n")}, extra...)
	return startGateway(t, confs...), policies
}

// TestAuthorizationGohive: one SERVER engine holds everybody's tables;
// the policies decide who reads what, over binary and HTTP, and a policy
// edit takes effect without a restart.
func TestAuthorizationGohive(t *testing.T) {
	g, policies := authzGateway(t)
	alice := g.gohive(t, "alice", "NONE", false)
	for _, q := range authzSetup {
		exec1(t, alice, q)
	}
	for _, http := range []bool{false, true} {
		bob := g.gohive(t, "bob", "NONE", http)
		for _, c := range authzChecks {
			if got := gohiveAnswer(bob, c.q); got != c.rows {
				t.Errorf("http=%v bob: %s\n got %s\nwant %s", http, c.q, got, c.rows)
			}
		}
	}
	// alice (admins) sees everything, unmasked.
	if got := gohiveAnswer(alice, "SELECT id, card FROM sales ORDER BY id"); got != "1 4111-1111-1111-1234|2 5500-0000-0000-0004|3 3700-0000-0000-9876" {
		t.Errorf("alice: %s", got)
	}
	// carol is in no policy: nothing.
	carol := g.gohive(t, "carol", "NONE", false)
	if got := gohiveAnswer(carol, "SELECT id FROM orders"); !strings.HasPrefix(got, "42000 Permission denied: user [carol]") {
		t.Errorf("carol: %s", got)
	}
	// The deny item goes: bob reads amount (still only the west rows),
	// with no restart.
	bob := g.gohive(t, "bob", "NONE", false)
	writePolicies(t, policies, 2, false)
	testenv.Eventually(t, 20*time.Second, func() error {
		if got := gohiveAnswer(bob, "SELECT sum(amount) AS s FROM sales"); got != "40.5" {
			return fmt.Errorf("after the policy edit bob's sum(amount) = %s", got)
		}
		return nil
	})
	// Every decision is in the audit log with its policy.
	logs, _ := filepath.Glob(filepath.Join(g.workDir, "*", "engine-*.log"))
	var all strings.Builder
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		all.Write(b)
	}
	for _, want := range []string{"authz.audit", `"user": "bob"`, `"resource": "default/sales/amount", "allowed": false, "policy_id": 12`,
		`"resource": "default/sales/region", "allowed": true, "policy_id": 11`, `"mask": "MASK_SHOW_LAST_4", "policy_id": 14`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the audit log has no %s", want)
		}
	}
}

// gohiveAnswer is a query's rows as "v v|v v", or "SQLSTATE message".
func gohiveAnswer(conn *gohive.Connection, q string) string {
	rows, desc, err := tryQuery(conn, q)
	if err != nil {
		return refusalText(err.Error())
	}
	var lines []string
	for _, r := range rows {
		var cells []string
		for _, d := range desc {
			cells = append(cells, fmt.Sprint(r[d[0]]))
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	return strings.Join(lines, "|")
}

// refusalText keeps SQLSTATE 42000 and the message of a refusal.
func refusalText(msg string) string {
	if i := strings.Index(msg, "Permission denied"); i >= 0 {
		end := strings.Index(msg[i:], "]")
		for j := 0; j < 2 && end >= 0; j++ { // user [..] ... on [..]
			next := strings.Index(msg[i+end+1:], "]")
			if next < 0 {
				break
			}
			end += next + 1
		}
		return "42000 " + msg[i:i+end+1]
	}
	return msg
}

// TestAuthorizationNodeDrivers: the same answers through hive-driver
// (binary and HTTP) and the strict @databricks/sql client (HTTPS); the
// metadata calls list only what bob may see.
func TestAuthorizationNodeDrivers(t *testing.T) {
	keystore, ca := testCerts(t)
	for _, tc := range []struct{ driver, mode string }{{"hive-driver", "binary"}, {"hive-driver", "http"}, {"databricks", "https"}} {
		t.Run(tc.driver+"/"+tc.mode, func(t *testing.T) {
			var g *gateway
			addr := ""
			if tc.mode == "https" {
				g, _ = authzGateway(t, "kitsune.frontend.ssl.keystore="+keystore)
				addr = g.httpAddr
			} else {
				g, _ = authzGateway(t)
				addr = map[string]string{"binary": g.binAddr, "http": g.httpAddr}[tc.mode]
			}
			setup := nodeAuthz(t, tc.driver, addr, tc.mode, "alice", ca, authzSetup)
			for i, s := range setup.Statements {
				if s.Error != "" {
					t.Fatalf("alice: %s: %s", authzSetup[i], s.Error)
				}
			}
			qs := make([]string, len(authzChecks))
			for i, c := range authzChecks {
				qs[i] = c.q
			}
			got := nodeAuthz(t, tc.driver, addr, tc.mode, "bob", ca, qs)
			for i, c := range authzChecks {
				s := got.Statements[i]
				answer := s.rowsText()
				if s.Error != "" {
					answer = refusalText(s.Error)
					// hive-driver keeps the error code only; the others SQLSTATE too.
					if s.SQLState != "42000" && !(tc.driver == "hive-driver" && s.ErrorCode == status.CodeAuthzDenied) {
						t.Errorf("bob: %s: SQLSTATE %q code %d, want 42000 (code %d)", c.q, s.SQLState, s.ErrorCode, status.CodeAuthzDenied)
					}
				}
				if answer != c.rows {
					t.Errorf("bob: %s\n got %s\nwant %s", c.q, answer, c.rows)
				}
			}
			if !reflect.DeepEqual(got.Tables, []string{"orders", "sales"}) || !reflect.DeepEqual(got.Columns, []string{"id", "region", "card"}) {
				t.Errorf("bob's metadata: tables %v, columns of sales %v", got.Tables, got.Columns)
			}
		})
	}
}

type nodeAuthzOut struct {
	Statements []nodeStatement `json:"statements"`
	Tables     []string        `json:"tables"`
	Columns    []string        `json:"columns"`
}

type nodeStatement struct {
	Rows      []map[string]any `json:"rows"`
	Error     string           `json:"error"`
	SQLState  string           `json:"sqlState"`
	ErrorCode int32            `json:"errorCode"`
}

// rowsText renders rows as the checks spell them: the values in column
// order as the statements name them (id, region, card / id, qty / n).
func (s nodeStatement) rowsText() string {
	var lines []string
	for _, r := range s.Rows {
		var cells []string
		for _, k := range []string{"id", "region", "card", "qty", "n"} {
			if v, ok := r[k]; ok {
				cells = append(cells, fmt.Sprint(v))
			}
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	return strings.Join(lines, "|")
}

func nodeAuthz(t *testing.T, driver, addr, mode, user, ca string, stmts []string) nodeAuthzOut {
	t.Helper()
	if _, err := os.Stat("../test/node/node_modules/hive-driver"); err != nil {
		t.Fatalf("npm clients are not installed: run `make deps` (scripts/install-test-deps.sh): %v", err)
	}
	host, port := hostPort(t, addr)
	js, _ := json.Marshal(stmts)
	cmd := exec.Command("node", "../test/node/authz.js", driver, host, itoa(port), mode, user, ca, string(js))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", driver, err, stderr.String())
	}
	var got nodeAuthzOut
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return got
}

// TestAuthorizationFromRangerAdmin: the gateway polls a Ranger admin's
// policy-download endpoint (here a test server that answers what Ranger
// does: the download, or 304 when the client has that version), and a new
// version reaches the engines with no restart.
func TestAuthorizationFromRangerAdmin(t *testing.T) {
	var version atomic.Int32
	version.Store(1)
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		v := int(version.Load())
		switch r.URL.Path {
		case "/service/plugins/policies/download/hive":
			if r.URL.Query().Get("lastKnownVersion") == strconv.Itoa(v) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprintf(w, authzPolicies, v, v == 1)
		case "/service/roles/download/hive":
			w.WriteHeader(http.StatusNotModified)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	g := startGateway(t, "kitsune.engine.share.level=SERVER", "kitsune.authorization.enabled=true", "kitsune.authorization.ranger.url="+srv.URL,
		"kitsune.authorization.ranger.poll.interval=PT1S", "kitsune.session.group.mapping="+writeFile(t, "alice=admins\nbob=analysts\n"))
	alice := g.gohive(t, "alice", "NONE", false)
	for _, q := range authzSetup {
		exec1(t, alice, q)
	}
	bob := g.gohive(t, "bob", "NONE", true)
	if got := gohiveAnswer(bob, "SELECT amount FROM sales"); got != "42000 Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]" {
		t.Errorf("bob under version 1: %s", got)
	}
	version.Store(2) // the deny item is disabled
	testenv.Eventually(t, 20*time.Second, func() error {
		if got := gohiveAnswer(bob, "SELECT sum(amount) AS s FROM sales"); got != "40.5" {
			return fmt.Errorf("under version 2 bob's sum(amount) = %s", got)
		}
		return nil
	})
	if asked.Load() < 3 {
		t.Errorf("the Ranger admin was asked %d times", asked.Load())
	}
}
