package duckdb

import (
	"strings"
	"testing"
)

// Spark's Thrift server answers GetColumns' TYPE_NAME with DataType.sql.
func TestSparkSQLTypeName(t *testing.T) {
	for duck, want := range map[string]string{
		"INTEGER":                           "INT",
		"BIGINT":                            "BIGINT",
		"VARCHAR":                           "STRING",
		"DECIMAL(10,2)":                     "DECIMAL(10,2)",
		"TIMESTAMP WITH TIME ZONE":          "TIMESTAMP",
		"INTEGER[]":                         "ARRAY<INT>",
		"MAP(VARCHAR, INTEGER)":             "MAP<STRING, INT>",
		`STRUCT(a INTEGER, "b c" VARCHAR)`:  "STRUCT<a: INT, `b c`: STRING>",
		`STRUCT(Nested STRUCT(x DOUBLE)[])`: "STRUCT<Nested: ARRAY<STRUCT<x: DOUBLE>>>",
	} {
		if got := sparkSQLTypeName(duck); got != want {
			t.Errorf("sparkSQLTypeName(%s) = %s, want %s", duck, got, want)
		}
	}
}

// A backquoted `default` is Spark's default database too (the Simba
// drivers qualify tables that way).
func TestBackquotedDefaultDatabase(t *testing.T) {
	p, err := rewrite("INSERT INTO TABLE `default`.`t` VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(p.sql), " "); got != `INSERT INTO main."t" VALUES (1)` {
		t.Errorf("rewritten to %s", p.sql)
	}
}
