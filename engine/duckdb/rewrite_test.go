package duckdb

import (
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind planKind
		want string // a substring of the rewritten SQL
	}{
		{"SELECT `a b` FROM `db`.`t`", planQuery, `SELECT "a b" FROM "db"."t"`},
		{`SELECT "text", 'it\'s'`, planQuery, `SELECT 'text', 'it''s'`},
		{"SELECT 10L, 2.5D, 1Y", planQuery, "CAST(10 AS BIGINT), CAST(2.5 AS DOUBLE), CAST(1 AS TINYINT)"},
		{"CREATE DATABASE IF NOT EXISTS sales COMMENT 'x' LOCATION '/tmp'", planExec, "CREATE SCHEMA IF NOT EXISTS sales"},
		{"DROP DATABASE sales CASCADE", planExec, "DROP SCHEMA sales CASCADE"},
		{"SHOW TABLES IN sales LIKE 'o*'", planQuery, "table_schema = 'sales'"},
		{"SHOW TABLES IN default", planQuery, "table_schema = 'main'"},
		{"SHOW DATABASES", planQuery, "AS namespace"},
		{"SHOW COLUMNS IN t IN sales", planQuery, `DESCRIBE "sales".t`},
		{"DESCRIBE EXTENDED sales.t", planQuery, "(DESCRIBE sales.t)"},
		{"CREATE TABLE t (a INT, m MAP<STRING, ARRAY<INT>>, s STRUCT<x: INT, y: STRING>) USING parquet PARTITIONED BY (a) TBLPROPERTIES ('k'='v')", planExec,
			"CREATE TABLE t (a INT, m MAP(STRING, INT[]), s STRUCT(x INT, y STRING))"},
		{"CREATE TABLE t USING parquet AS SELECT 1 AS a", planExec, "CREATE TABLE t AS SELECT 1 AS a"},
		{"CREATE TABLE ext (a INT) USING csv OPTIONS (header 'true', delimiter '|') LOCATION '/data/x'", planExec,
			"CREATE VIEW ext AS SELECT CAST(a AS INT) AS a FROM read_csv('/data/x/**/*', header = true, delim = '|')"},
		{"CREATE TABLE h (a INT) STORED AS PARQUET", planExec, "CREATE TABLE h (a INT)"},
		{"INSERT INTO TABLE t PARTITION (d='1') SELECT 1", planExec, "INSERT INTO t SELECT 1"},
		{"SELECT * FROM range(10)", planQuery, "(SELECT range AS id FROM range(10))"},
		{"SELECT current_user(), user()", planQuery, "getvariable('kitsune_user'), getvariable('kitsune_user')"},
		{"SELECT nvl(a, 1), date_format(d, 'yyyy-MM-dd HH:mm')", planQuery, "kitsune_fn.main.spark_date_format(d, '%Y-%m-%d %H:%M')"},
		{"SELECT a FROM t WHERE name RLIKE '^a.*' AND x NOT RLIKE 'b'", planQuery, "regexp_matches(name, '^a.*') AND NOT regexp_matches(x, 'b')"},
		{"SELECT a <=> b, 7 DIV 2", planQuery, "a IS NOT DISTINCT FROM b, 7 // kitsune_fn.main.spark_divisor(2)"},
		{"SELECT * FROM parquet.`/tmp/x.parquet`", planQuery, "read_parquet('/tmp/x.parquet')"},
		{"SELECT array(1, 2), map('a', 1, 'b', 2), named_struct('x', 1)", planQuery, `list_value(1, 2), map(['a', 'b'], [1, 2]), struct_pack("x" := 1)`},
		{"SELECT * FROM default.t", planQuery, "FROM main.t"},
		{"CACHE TABLE t", planNoop, ""},
		{"USE default", planExec, `USE "main"`},
		{"SELECT id, tag FROM t LATERAL VIEW OUTER explode(tags) x AS tag", planQuery, "LEFT JOIN LATERAL (SELECT unnest(tags) AS tag) x ON true"},
		{"SELECT k, v FROM t LATERAL VIEW explode(m) x AS k, v", planQuery, ", LATERAL (SELECT unnest(map_keys(m)) AS k, unnest(map_values(m)) AS v) x"},
		{"SELECT int('5'), string(x) FROM t DISTRIBUTE BY a SORT BY b", planQuery, "SELECT CAST('5' AS INTEGER), CAST(x AS VARCHAR) FROM t ORDER BY b"},
		{"SELECT a FROM t CLUSTER BY a", planQuery, "SELECT a FROM t ORDER BY a"},
		{"SELECT current_timestamp(), current_date()", planQuery, "SELECT current_timestamp, current_date"},
		{"ALTER TABLE t ADD COLUMNS (a INT COMMENT 'x', b MAP<STRING, INT>)", planOverwrite, "ALTER TABLE t ADD COLUMN a INT; ALTER TABLE t ADD COLUMN b MAP(STRING, INT)"},
	} {
		p, err := rewrite(tc.in)
		if err != nil {
			t.Errorf("rewrite(%q): %v", tc.in, err)
			continue
		}
		got := strings.Join(strings.Fields(p.sql+strings.Join(p.sqls, "; ")), " ")
		if p.kind != tc.kind || !strings.Contains(got, tc.want) {
			t.Errorf("rewrite(%q) = kind %d %q; want kind %d containing %q", tc.in, p.kind, got, tc.kind, tc.want)
		}
	}
	if _, err := rewrite("ADD JAR /x.jar"); err == nil || !strings.Contains(err.Error(), "kitsune.engine.type") {
		t.Errorf("ADD JAR: %v", err)
	}
	p, _ := rewrite("INSERT OVERWRITE TABLE t SELECT * FROM t WHERE a > 1")
	if p.kind != planOverwrite || len(p.sqls) != 4 || !strings.HasPrefix(p.sqls[0], "CREATE OR REPLACE TEMP TABLE") {
		t.Errorf("INSERT OVERWRITE = %+v", p)
	}
}

func FuzzRewrite(f *testing.F) {
	for _, s := range []string{"SELECT `a` FROM t", "CREATE TABLE t (a ARRAY<MAP<INT,STRING>>) USING parquet", "SELECT a RLIKE", "INSERT OVERWRITE", "SELECT 'unterminated", "map(", "x RLIKE (", "SELECT ARRAY<", "SELECT * FROM t LATERAL VIEW explode(m) x AS k, v",
		"SELECT * FROM t LATERAL VIEW OUTER posexplode(a) x AS p, v WHERE", "ALTER TABLE t ADD COLUMNS (a INT", "SELECT current_date("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = rewrite(s) // must not panic
	})
}

func BenchmarkRewrite(b *testing.B) {
	q := "SELECT `a`, nvl(b, 0), date_format(c, 'yyyy-MM-dd') FROM db.t WHERE name RLIKE '^x' AND id IN (SELECT id FROM range(10))"
	for b.Loop() {
		if _, err := rewrite(q); err != nil {
			b.Fatal(err)
		}
	}
}
