package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/authz"
	"github.com/kitsune-sql/kitsune/conf"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// testPolicies: alice (group admins) may do anything; bob (group
// analysts) reads default.sales and default.orders but not
// sales.amount, sees only the west rows of sales and the last four
// characters of sales.card; nobody but alice sees default.secret.
const testPolicies = `{"policyVersion": 1, "policies": [
 {"id": 10, "name": "admins", "policyType": 0,
  "resources": {"database": {"values": ["*"]}, "table": {"values": ["*"]}, "column": {"values": ["*"]}},
  "policyItems": [{"accesses": [{"type": "all"}], "groups": ["admins"]}]},
 {"id": 11, "name": "analysts read", "policyType": 0,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales", "orders"]}, "column": {"values": ["*"]}},
  "policyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"]}]},
 {"id": 15, "name": "analysts create v*", "policyType": 0,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["v*"]}, "column": {"values": ["*"]}},
  "policyItems": [{"accesses": [{"type": "create"}, {"type": "select"}], "groups": ["analysts"]}]},
 {"id": 12, "name": "no amount", "policyType": 0,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["amount"]}},
  "denyPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"]}]},
 {"id": 13, "name": "west only", "policyType": 2,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}},
  "rowFilterPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"], "rowFilterInfo": {"filterExpr": "region = 'west'"}}]},
 {"id": 14, "name": "card", "policyType": 1,
  "resources": {"database": {"values": ["default"]}, "table": {"values": ["sales"]}, "column": {"values": ["card"]}},
  "dataMaskPolicyItems": [{"accesses": [{"type": "select"}], "groups": ["analysts"], "dataMaskInfo": {"dataMaskType": "MASK_SHOW_LAST_4"}}]}
]}`

type swappablePolicies struct {
	p atomic.Pointer[authz.Policies]
}

func (s *swappablePolicies) Policies() *authz.Policies { return s.p.Load() }

func (s *swappablePolicies) set(t *testing.T, doc string) {
	t.Helper()
	ps, err := authz.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s.p.Store(ps)
}

func newAuthorizedService(t *testing.T) (*Service, *swappablePolicies, func(user, groups string) *tcli.TSessionHandle) {
	t.Helper()
	src := &swappablePolicies{}
	src.set(t, testPolicies)
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "notes.csv"), []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{ID: "authz-engine", Memory: "256MiB", Threads: 2, Policies: src, Home: home}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	open := func(user, groups string) *tcli.TSessionHandle {
		resp, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10,
			Username: &user, Configuration: map[string]string{conf.KeySessionGroups: groups}})
		if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatal(resp.Status.GetErrorMessage())
		}
		return resp.SessionHandle
	}
	alice := open("alice", "admins")
	for _, q := range []string{
		"CREATE TABLE sales (id INT, region STRING, amount DOUBLE, card STRING)",
		"INSERT INTO sales VALUES (1, 'west', 10.5, '4111-1111-1111-1234'), (2, 'east', 20.0, '5500-0000-0000-0004'), (3, 'west', 30.0, NULL)",
		"CREATE TABLE orders (id INT, sale_id INT, qty INT)",
		"INSERT INTO orders VALUES (100, 1, 5), (200, 2, 7), (300, 3, 9)",
		"CREATE TABLE secret (k STRING)",
		"INSERT INTO secret VALUES ('top')",
	} {
		run(t, s, alice, q)
	}
	return s, src, open
}

// refusal runs q and answers its error status.
func refusal(t *testing.T, s *Service, sh *tcli.TSessionHandle, q string) *tcli.TStatus {
	t.Helper()
	resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
	if resp.Status.StatusCode == tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("%s: succeeded, want a refusal", q)
	}
	return resp.Status
}

func TestAuthorizationColumnsAndWrites(t *testing.T) {
	s, _, open := newAuthorizedService(t)
	bob := open("bob", "analysts")
	denials := map[string]string{
		"SELECT amount FROM sales":                                         "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]",
		"SELECT * FROM sales":                                              "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]",
		"SELECT id FROM (SELECT * FROM sales)":                             "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]",
		"WITH c AS (SELECT amount FROM sales) SELECT count(*) FROM c":      "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]",
		"SELECT o.qty FROM orders o JOIN sales s ON s.amount = o.qty":      "Permission denied: user [bob] does not have [select] privilege on [default/sales/amount]",
		"SELECT k FROM secret":                                             "Permission denied: user [bob] does not have [select] privilege on [default/secret/k]",
		"SELECT count(*) FROM secret":                                      "Permission denied: user [bob] does not have [select] privilege on [default/secret]",
		"SELECT id FROM orders WHERE id IN (SELECT length(k) FROM secret)": "Permission denied: user [bob] does not have [select] privilege on [default/secret/k]",
		"INSERT INTO sales VALUES (9, 'west', 1, 'x')":                     "Permission denied: user [bob] does not have [update] privilege on [default/sales]",
		"UPDATE orders SET qty = 0":                                        "Permission denied: user [bob] does not have [update] privilege on [default/orders]",
		"DELETE FROM orders":                                               "Permission denied: user [bob] does not have [update] privilege on [default/orders]",
		"DROP TABLE orders":                                                "Permission denied: user [bob] does not have [drop] privilege on [default/orders]",
		"ALTER TABLE orders ADD COLUMNS (x INT)":                           "Permission denied: user [bob] does not have [alter] privilege on [default/orders]",
		"CREATE TABLE mine (a INT)":                                        "Permission denied: user [bob] does not have [create] privilege on [default/mine]",
		"CREATE TABLE vcopy AS SELECT k FROM secret":                       "Permission denied: user [bob] does not have [select] privilege on [default/secret/k]",
		"CREATE DATABASE bobs":                                             "Permission denied: user [bob] does not have [create] privilege on [bobs]",
	}
	for q, want := range denials {
		st := refusal(t, s, bob, q)
		if st.GetSqlState() != "42000" || st.GetErrorCode() != status.CodeAuthzDenied || st.GetErrorMessage() != want {
			t.Errorf("%s: %s %d %q, want 42000 %d %q", q, st.GetSqlState(), st.GetErrorCode(), st.GetErrorMessage(), status.CodeAuthzDenied, want)
		}
	}
	for _, q := range []string{"SELECT * FROM duckdb_tables()", "SELECT table_name FROM information_schema.tables", "SELECT * FROM (DESCRIBE secret)",
		"SELECT 1; SELECT 2", "PRAGMA table_info('secret')", "SELECT * FROM read_csv('" + s.cfg.Home + "/notes.csv')", "SELECT * FROM read_blob('" + s.cfg.Home + "/notes.csv')",
		"SELECT * FROM '" + s.cfg.Home + "/notes.csv'", "COPY (SELECT 1 AS a) TO '" + s.cfg.Home + "/out.csv'", "ATTACH ':memory:' AS other"} {
		st := refusal(t, s, bob, q)
		if st.GetSqlState() != "42000" || st.GetErrorCode() != status.CodeAuthzUnverified {
			t.Errorf("%s: %s %d %s, want 42000 %d", q, st.GetSqlState(), st.GetErrorCode(), st.GetErrorMessage(), status.CodeAuthzUnverified)
		}
	}
	// What bob may do.
	if rows, _ := run(t, s, bob, "SELECT o.qty FROM orders o JOIN sales s ON s.id = o.sale_id ORDER BY 1"); len(rows) != 2 || rows[0][0] != "5" || rows[1][0] != "9" {
		t.Errorf("join through the row filter = %v, want the west sales' orders 5 and 9", rows)
	}
	if rows, _ := run(t, s, bob, "EXPLAIN SELECT qty FROM orders"); len(rows) == 0 {
		t.Error("EXPLAIN of an allowed query answered nothing")
	}
	if rows, _ := run(t, s, bob, "SELECT count(*) FROM range(3)"); rows[0][0] != "3" {
		t.Errorf("range(3) = %v", rows)
	}
	run(t, s, bob, "CREATE TEMP TABLE scratch AS SELECT id FROM orders")
	if rows, _ := run(t, s, bob, "SELECT count(*) FROM scratch"); rows[0][0] != "3" {
		t.Errorf("bob's own temporary table = %v", rows)
	}
}

func TestAuthorizationRowFiltersAndMasks(t *testing.T) {
	s, _, open := newAuthorizedService(t)
	bob := open("bob", "analysts")
	alice := open("alice", "admins")
	cases := map[string]string{
		"SELECT id, region, card FROM sales ORDER BY id": "1 west nnnnUnnnnUnnnnU1234|3 west ",
		"SELECT count(*) FROM sales":                     "2",
		"SELECT s.card FROM sales AS s WHERE s.id = 1":   "nnnnUnnnnUnnnnU1234",
		"WITH c AS (SELECT id, card FROM sales) SELECT c.id, c.card FROM c, c AS d WHERE c.id = d.id ORDER BY 1": "1 nnnnUnnnnUnnnnU1234|3 ",
		"SELECT id FROM sales WHERE card LIKE '4111%'":                                                           "",
		"SELECT id FROM sales UNION ALL SELECT id FROM sales ORDER BY 1":                                         "1|1|3|3",
		"SELECT (SELECT max(id) FROM sales) AS m":                                                                "3",
	}
	for q, want := range cases {
		rows, _ := run(t, s, bob, q)
		if got := joinRows(rows); got != want {
			t.Errorf("bob: %s = %q, want %q", q, got, want)
		}
	}
	if got := joinRows(first(run(t, s, alice, "SELECT id, card FROM sales ORDER BY id"))); got != "1 4111-1111-1111-1234|2 5500-0000-0000-0004|3 " {
		t.Errorf("alice (no filter, no mask) = %q", got)
	}
	// A guarded table read other than by name is refused.
	run(t, s, alice, "CREATE VIEW vsales AS SELECT id, card FROM sales")
	for _, q := range []string{"SELECT * FROM vsales", "SELECT * FROM query_table('sales') WHERE false", "CREATE TEMP TABLE c2 AS SELECT card FROM sales",
		"SELECT * FROM (WITH sales AS (SELECT 1 AS id) SELECT id FROM sales) UNION ALL SELECT id FROM sales"} {
		st := refusal(t, s, bob, q)
		if st.GetErrorCode() != status.CodeAuthzUnverified && st.GetErrorCode() != status.CodeAuthzDenied {
			t.Errorf("%s: %d %s, want a refusal", q, st.GetErrorCode(), st.GetErrorMessage())
		}
	}
}

func TestAuthorizationListingsAndReload(t *testing.T) {
	s, src, open := newAuthorizedService(t)
	bob := open("bob", "analysts")
	if got := joinRows(first(run(t, s, bob, "SHOW TABLES"))); got != "default orders false|default sales false" {
		t.Errorf("SHOW TABLES for bob = %q", got)
	}
	if got := joinRows(first(run(t, s, bob, "DESCRIBE sales"))); strings.Contains(got, "amount") || !strings.Contains(got, "card") {
		t.Errorf("DESCRIBE sales for bob = %q: amount must be hidden", got)
	}
	if st := refusal(t, s, bob, "DESCRIBE secret"); st.GetErrorCode() != status.CodeAuthzDenied {
		t.Errorf("DESCRIBE secret: %s", st.GetErrorMessage())
	}
	if got := joinRows(first(run(t, s, bob, "SHOW DATABASES"))); got != "default" {
		t.Errorf("SHOW DATABASES = %q", got)
	}
	tables := metaRows(t, s, func(ctx context.Context) (*tcli.TOperationHandle, *tcli.TStatus) {
		r, _ := s.GetTables(ctx, &tcli.TGetTablesReq{SessionHandle: bob})
		return r.OperationHandle, r.Status
	}, 2)
	if tables != "orders|sales" {
		t.Errorf("GetTables for bob = %q", tables)
	}
	cols := metaRows(t, s, func(ctx context.Context) (*tcli.TOperationHandle, *tcli.TStatus) {
		r, _ := s.GetColumns(ctx, &tcli.TGetColumnsReq{SessionHandle: bob, TableName: new(tcli.TPatternOrIdentifier("sales"))})
		return r.OperationHandle, r.Status
	}, 3)
	if cols != "id|region|card" {
		t.Errorf("GetColumns(sales) for bob = %q", cols)
	}
	// A new policy document takes effect on the next statement.
	src.set(t, strings.Replace(testPolicies, `"table": {"values": ["sales", "orders"]}`, `"table": {"values": ["orders"]}`, 1))
	if st := refusal(t, s, bob, "SELECT id FROM sales"); st.GetErrorMessage() != "Permission denied: user [bob] does not have [select] privilege on [default/sales/id]" {
		t.Errorf("after the reload: %s", st.GetErrorMessage())
	}
}

func first(rows [][]string, _ *tcli.TTableSchema) [][]string { return rows }

func joinRows(rows [][]string) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, " ")
	}
	return strings.Join(out, "|")
}

// metaRows fetches a metadata call's column col, rows joined by |.
func metaRows(t *testing.T, s *Service, call func(context.Context) (*tcli.TOperationHandle, *tcli.TStatus), col int) string {
	t.Helper()
	h, st := call(context.Background())
	if st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(st.GetErrorMessage())
	}
	fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: h, MaxRows: 1000})
	var out []string
	for i := range fr.Results.Columns[col].StringVal.Values {
		out = append(out, cellString(fr.Results.Columns[col], i))
	}
	return strings.Join(out, "|")
}
