//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestTypesRoundTripGohive(t *testing.T) {
	g := startGateway(t)
	for _, tc := range []struct {
		name string
		auth string
		http bool
	}{{"binary-NONE", "NONE", false}, {"http", "NONE", true}} {
		t.Run(tc.name, func(t *testing.T) {
			conn := g.gohive(t, "alice", tc.auth, tc.http)
			rows, desc := query(t, conn, `SELECT true AS bo, CAST(-7 AS TINYINT) AS ti, CAST(300 AS SMALLINT) AS si,
				CAST(70000 AS INT) AS i, CAST(9000000000 AS BIGINT) AS bi, CAST(1.5 AS FLOAT) AS f, CAST(2.25 AS DOUBLE) AS d,
				CAST('123.45' AS DECIMAL(10,2)) AS dec, 'héllo' AS s, CAST('ab' AS VARCHAR(5)) AS vc, DATE '2024-02-29' AS dt,
				TIMESTAMP '2024-02-29 13:14:15.123' AS ts, CAST('bin' AS BINARY) AS bn, INTERVAL 3 DAYS AS iv,
				array(1, 2) AS arr, map('k', 'v') AS m, named_struct('a', 1, 'b', 'x') AS st, CAST(NULL AS INT) AS nul`)
			if len(rows) != 1 {
				t.Fatalf("got %d rows", len(rows))
			}
			wantTypes := map[string]string{"bo": "BOOLEAN_TYPE", "ti": "TINYINT_TYPE", "si": "SMALLINT_TYPE", "i": "INT_TYPE",
				"bi": "BIGINT_TYPE", "f": "FLOAT_TYPE", "d": "DOUBLE_TYPE", "dec": "DECIMAL_TYPE", "s": "STRING_TYPE", "vc": "STRING_TYPE",
				"dt": "DATE_TYPE", "ts": "TIMESTAMP_TYPE", "bn": "BINARY_TYPE", "iv": "INTERVAL_DAY_TIME_TYPE", "arr": "ARRAY_TYPE",
				"m": "MAP_TYPE", "st": "STRUCT_TYPE", "nul": "INT_TYPE"}
			for _, d := range desc {
				if want := wantTypes[d[0]]; d[1] != want {
					t.Errorf("column %s: type %s, want %s", d[0], d[1], want)
				}
			}
			r := rows[0]
			want := map[string]any{"bo": true, "ti": int8(-7), "si": int16(300), "i": int32(70000), "bi": int64(9000000000),
				"d": 2.25, "dec": "123.45", "s": "héllo", "vc": "ab", "dt": "2024-02-29", "ts": "2024-02-29 13:14:15.123",
				"arr": "[1,2]", "m": `{"k":"v"}`, "st": `{"a":1,"b":"x"}`, "nul": nil}
			for k, w := range want {
				if got := r[k]; fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("column %s = %#v (%T), want %#v", k, got, got, w)
				}
			}
			if f, ok := r["f"].(float64); !ok || math.Abs(f-1.5) > 1e-6 {
				t.Errorf("float column = %#v", r["f"])
			}
			if b, ok := r["bn"].([]byte); !ok || string(b) != "bin" {
				t.Errorf("binary column = %#v", r["bn"])
			}
		})
	}
}

func TestNoSASL(t *testing.T) {
	g := startGateway(t, "kitsune.authentication=NOSASL")
	conn := g.gohive(t, "carol", "NOSASL", false)
	rows, _ := query(t, conn, "SELECT current_user() AS u, 1 + 1 AS two")
	if rows[0]["u"] != "carol" && rows[0]["u"] != "anonymous" {
		t.Errorf("current_user() = %v", rows[0]["u"])
	}
	if rows[0]["two"] != int32(2) {
		t.Errorf("1+1 = %#v", rows[0]["two"])
	}
}

func TestLargeResult(t *testing.T) {
	g := startGateway(t)
	conn := g.gohive(t, "alice", "NONE", false)
	rows, _ := query(t, conn, "SELECT id, CAST(id AS DOUBLE) * 0.5 AS half, concat('row-', CAST(id AS STRING)) AS label FROM range(100000) ORDER BY id")
	if len(rows) != 100000 {
		t.Fatalf("got %d rows, want 100000", len(rows))
	}
	var sum int64
	for i, r := range rows {
		id := r["id"].(int64)
		if id != int64(i) || r["label"] != fmt.Sprintf("row-%d", i) || r["half"] != float64(i)*0.5 {
			t.Fatalf("row %d = %v", i, r)
		}
		sum += id
	}
	if sum != 99999*100000/2 {
		t.Errorf("sum of ids = %d", sum)
	}
}

func TestDDLAndDML(t *testing.T) {
	g := startGateway(t)
	conn := g.gohive(t, "alice", "NONE", false)
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS sales",
		"CREATE TABLE sales.`orders` (id INT, item STRING, price DECIMAL(10,2), tags ARRAY<STRING>) USING parquet",
		"INSERT INTO sales.orders VALUES (1, 'pen', 1.50, array('a')), (2, 'ink', 7.25, array('b', 'c'))",
		"INSERT INTO TABLE sales.orders SELECT 3, 'pad', 3.00, array()",
	} {
		exec1(t, conn, q)
	}
	rows, _ := query(t, conn, "SELECT count(*) AS n, sum(price) AS total FROM sales.orders")
	if rows[0]["n"] != int64(3) || rows[0]["total"] != "11.75" {
		t.Errorf("after inserts: %v", rows[0])
	}
	exec1(t, conn, "INSERT OVERWRITE TABLE sales.orders SELECT id, item, price * 2, tags FROM sales.orders WHERE id < 3")
	rows, _ = query(t, conn, "SELECT id, price FROM sales.orders ORDER BY id")
	if len(rows) != 2 || rows[1]["price"] != "14.50" {
		t.Errorf("after INSERT OVERWRITE: %v", rows)
	}
	rows, _ = query(t, conn, "SHOW TABLES IN sales")
	if len(rows) != 1 || rows[0]["tablename"] != "orders" && rows[0]["tableName"] != "orders" {
		t.Errorf("SHOW TABLES IN sales = %v", rows)
	}
	rows, _ = query(t, conn, "DESCRIBE sales.orders")
	got := []string{}
	for _, r := range rows {
		got = append(got, fmt.Sprint(r["col_name"], ":", r["data_type"]))
	}
	if strings.Join(got, ",") != "id:int,item:string,price:decimal(10,2),tags:array<string>" {
		t.Errorf("DESCRIBE = %v", got)
	}
	rows, _ = query(t, conn, "SHOW DATABASES")
	var dbs []string
	for _, r := range rows {
		dbs = append(dbs, fmt.Sprint(r["namespace"]))
	}
	if !strings.Contains(strings.Join(dbs, ","), "default") || !strings.Contains(strings.Join(dbs, ","), "sales") {
		t.Errorf("SHOW DATABASES = %v", dbs)
	}
	exec1(t, conn, "USE sales")
	rows, _ = query(t, conn, "SELECT current_database() AS db, nvl(NULL, 'x') AS n, date_format(DATE '2024-03-05', 'yyyy/MM/dd') AS f, size(array(1,2,3)) AS sz")
	if r := rows[0]; r["db"] != "sales" || r["n"] != "x" || r["f"] != "2024/03/05" || r["sz"] != int32(3) {
		t.Errorf("Spark functions = %v", r)
	}
	rows, _ = query(t, conn, "SET spark.sql.shuffle.partitions=7")
	if rows[0]["value"] != "7" {
		t.Errorf("SET k=v = %v", rows)
	}
	rows, _ = query(t, conn, "SET spark.sql.shuffle.partitions")
	if rows[0]["key"] != "spark.sql.shuffle.partitions" || rows[0]["value"] != "7" {
		t.Errorf("SET k = %v", rows)
	}
}

func TestErrorsKeepSessionUsable(t *testing.T) {
	g := startGateway(t)
	conn := g.gohive(t, "alice", "NONE", false)
	_, _, err := tryQuery(conn, "SELEC 1")
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("syntax error: got %v", err)
	}
	_, _, err = tryQuery(conn, "SELECT * FROM no_such_table")
	if err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("missing table: got %v", err)
	}
	rows, _ := query(t, conn, "SELECT 7 AS seven")
	if rows[0]["seven"] != int32(7) {
		t.Errorf("after errors: %v", rows)
	}
}

func TestEngineSharingAndIsolation(t *testing.T) {
	g := startGateway(t)
	engineID := func(user string) (string, *testingConn) {
		c := g.gohive(t, user, "NONE", false)
		rows, _ := query(t, c, "SET kitsune.engine.id")
		return fmt.Sprint(rows[0]["value"]), &testingConn{c}
	}
	a1, ac := engineID("alice")
	a2, _ := engineID("alice")
	b1, bc := engineID("bob")
	if a1 == "" || a1 != a2 {
		t.Errorf("alice's two sessions got engines %q and %q, want one", a1, a2)
	}
	if b1 == a1 {
		t.Errorf("bob shares alice's engine %q", a1)
	}
	if n := len(enginePIDs(g.workDir)); n != 2 {
		t.Errorf("%d engine processes, want 2", n)
	}
	exec1(t, ac.Connection, "CREATE TABLE secret_a (x INT)")
	exec1(t, ac.Connection, "INSERT INTO secret_a VALUES (1)")
	if _, _, err := tryQuery(bc.Connection, "SELECT * FROM secret_a"); err == nil {
		t.Errorf("bob can read alice's table")
	}
	rows, _ := query(t, bc.Connection, "SELECT current_user() AS u")
	if rows[0]["u"] != "bob" {
		t.Errorf("bob's current_user() = %v", rows[0]["u"])
	}
}
