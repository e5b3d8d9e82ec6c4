package duckdb

import (
	"context"
	"strings"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Spark divides and averages decimals into decimals (DecimalPrecision,
// precision loss allowed): a / b is a DECIMAL(p1 - s1 + s2 + max(6, s1 +
// p2 + 1), max(6, s1 + p2 + 1)), past 38 digits the scale gives way down
// to 6; an integral literal next to a decimal is the decimal its digits
// need, an INT column a DECIMAL(10, 0), a BIGINT (count) a DECIMAL(20, 0);
// sum of a DECIMAL(p, s) is a DECIMAL(p + 10, s), avg a DECIMAL(p + 4,
// s + 4); rounding is half up. These are Spark 4.1's answers and types.
func TestSparkDecimalArithmetic(t *testing.T) {
	s, sh := newService(t)
	for _, q := range []string{
		"CREATE TABLE dec_t(x DECIMAL(10,2), n INT)",
		"INSERT INTO dec_t VALUES (7.50, 2), (1.25, 3)",
	} {
		if _, state, msg := sparkOutcome(s, sh, q); state != "" {
			t.Fatalf("%s: %s %s", q, state, msg)
		}
	}
	cases := []struct{ q, want, typ string }{
		{"SELECT 1.0 / 3", "0.333333", "DECIMAL(7,6)"},
		{"SELECT 1.0 / 3 / 3", "0.11111100", "DECIMAL(9,8)"}, // the inner quotient is rounded to its type first
		{"SELECT (1.0 + 2) / 4", "0.750000", "DECIMAL(8,6)"},
		{"SELECT 2.5 * 2 / 3", "1.666667", "DECIMAL(9,6)"},
		{"SELECT -7.00 / 2", "-3.500000", "DECIMAL(7,6)"},
		{"SELECT CAST(10 AS DECIMAL(5,2)) / CAST(4 AS DECIMAL(3,1))", "2.500000", "DECIMAL(10,6)"},
		{"SELECT CAST(1 AS DECIMAL(38,0)) / CAST(128 AS DECIMAL(38,0))", "0.007813", "DECIMAL(38,6)"}, // 0.0078125, half up
		{"SELECT x / n FROM dec_t ORDER BY x DESC", "3.7500000000000", "DECIMAL(21,13)"},
		{"SELECT sum(x) / count(*) FROM dec_t", "4.37500000000000000000", "DECIMAL(38,20)"},
		{"SELECT s / c FROM (SELECT sum(x) AS s, count(*) AS c FROM dec_t)", "4.37500000000000000000", "DECIMAL(38,20)"},
		{"SELECT avg(x) FROM dec_t", "4.375000", "DECIMAL(14,6)"},
		{"SELECT avg(x) FILTER (WHERE n > 2) FROM dec_t", "1.250000", "DECIMAL(14,6)"},
		{"SELECT avg(x) OVER () FROM dec_t", "4.375000", "DECIMAL(14,6)"},
		{"SELECT avg(CAST(x AS DECIMAL(3,1))) FROM VALUES (1), (2) AS t(x)", "1.50000", "DECIMAL(7,5)"},
		{"SELECT n, avg(x) FROM dec_t GROUP BY n ORDER BY avg(x)", "3", "INT"},
		{"SELECT avg(n) FROM dec_t", "2.5", "DOUBLE"},
		// Through a CTE, a UNION (wider of DECIMAL(10,2) and INT: DECIMAL(12,2)), CASE and coalesce
		// (the same), round (one more integral digit, the scale cut) and floor.
		{"WITH c AS (SELECT sum(x) AS s, count(*) AS k FROM dec_t) SELECT s / k FROM c", "4.37500000000000000000", "DECIMAL(38,20)"},
		{"SELECT u / 2 FROM (SELECT x AS u FROM dec_t UNION ALL SELECT n FROM dec_t) ORDER BY u DESC", "3.750000", "DECIMAL(16,6)"},
		{"SELECT CASE WHEN n > 2 THEN x ELSE 1 END / 4 FROM dec_t ORDER BY n", "0.250000", "DECIMAL(16,6)"},
		{"SELECT coalesce(x, 0) / 4 FROM dec_t ORDER BY n", "1.875000", "DECIMAL(16,6)"},
		{"SELECT round(x, 1) / 3 FROM dec_t ORDER BY n", "2.500000", "DECIMAL(15,6)"},
		{"SELECT floor(x) / 2 FROM dec_t ORDER BY n", "3.500000", "DECIMAL(15,6)"},
		{"SELECT 7 / 2", "3.5", "DOUBLE"},
		{"SELECT 1.0 / CAST(3 AS DOUBLE)", "0.3333333333333333", "DOUBLE"},
	}
	for _, c := range cases {
		v, state, msg := sparkOutcome(s, sh, c.q)
		if state != "" {
			t.Errorf("%s: %s %s", c.q, state, msg)
			continue
		}
		if typ := firstColumnType(t, s, sh, c.q); v != c.want || typ != c.typ {
			t.Errorf("%s = %s %s, Spark answers %s %s", c.q, v, typ, c.want, c.typ)
		}
	}
	if v, _, _ := sparkOutcome(s, sh, "SELECT n, avg(x), avg(n) FROM dec_t GROUP BY n ORDER BY n"); v != "2" {
		t.Errorf("a decimal and an integral avg in one statement: %s", v)
	}
	// An operand whose Spark type is not read here (greatest's) is
	// refused, never answered as DuckDB's double.
	if _, state, msg := sparkOutcome(s, sh, "SELECT greatest(x, 1) / 3 FROM dec_t"); state != StateUnsupported || !strings.Contains(msg, "decimal division or average") {
		t.Errorf("greatest(x, 1) / 3: %s %s, want 0A000", state, msg)
	}
}

// Past its type's digits a decimal quotient is NUMERIC_VALUE_OUT_OF_RANGE
// (22003) under ANSI, NULL without; by zero DIVIDE_BY_ZERO (22012) or NULL.
func TestSparkDecimalDivisionANSI(t *testing.T) {
	s, sh := newService(t)
	const big = "SELECT CAST(99999999999999999999999999999999999999 AS DECIMAL(38,0)) / 0.1"
	if _, state, msg := sparkOutcome(s, sh, big); state != "22003" || !strings.Contains(msg, "[NUMERIC_VALUE_OUT_OF_RANGE") {
		t.Errorf("ANSI on: %s: %s %s, Spark: 22003 NUMERIC_VALUE_OUT_OF_RANGE", big, state, msg)
	}
	if _, state, msg := sparkOutcome(s, sh, "SELECT 1.0 / 0"); state != "22012" || !strings.Contains(msg, "[DIVIDE_BY_ZERO]") {
		t.Errorf("ANSI on: 1.0 / 0: %s %s", state, msg)
	}
	if _, state, msg := sparkOutcome(s, sh, "SET spark.sql.ansi.enabled=false"); state != "" {
		t.Fatal(msg)
	}
	for _, q := range []string{big, "SELECT 1.0 / 0"} {
		if v, state, msg := sparkOutcome(s, sh, q); v != "NULL" {
			t.Errorf("ANSI off: %s = %s %s %s, Spark: NULL", q, v, state, msg)
		}
	}
}

// firstColumnType is the first result column's type as HS2 describes it.
func firstColumnType(t *testing.T, s *Service, sh *tcli.TSessionHandle, q string) string {
	ctx := context.Background()
	resp, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
	md, err := s.GetResultSetMetadata(ctx, &tcli.TGetResultSetMetadataReq{OperationHandle: resp.OperationHandle})
	if err != nil || md.Schema == nil || len(md.Schema.Columns) == 0 {
		t.Fatalf("%s: no metadata: %v", q, err)
	}
	e := md.Schema.Columns[0].TypeDesc.Types[0].PrimitiveEntry
	name := map[tcli.TTypeId]string{tcli.TTypeId_DECIMAL_TYPE: "DECIMAL", tcli.TTypeId_DOUBLE_TYPE: "DOUBLE", tcli.TTypeId_INT_TYPE: "INT",
		tcli.TTypeId_BIGINT_TYPE: "BIGINT"}[e.Type]
	if e.Type == tcli.TTypeId_DECIMAL_TYPE && e.TypeQualifiers != nil {
		q := e.TypeQualifiers.Qualifiers
		return name + "(" + itoa(int64(q["precision"].GetI32Value())) + "," + itoa(int64(q["scale"].GetI32Value())) + ")"
	}
	return name
}

// A Databricks client's parameters are typed (CAST(:p AS DECIMAL(5,2))):
// the division of a decimal parameter is Spark's decimal too.
func TestSparkDecimalDivisionOfParameters(t *testing.T) {
	s, _ := newService(t)
	sh := sparkSession(t, s)
	str, typ, name := func(v string) *string { return &v }, func(v string) *string { return &v }, func(v string) *string { return &v }
	r, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT :d / 4 AS q",
		Parameters:       []*tcli.TSparkParameter{{Name: name("d"), Type: typ("DECIMAL(5,2)"), Value: &tcli.TSparkParameterValue{StringValue: str("1.50")}}},
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 10}})
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(r.Status)
	}
	// DECIMAL(5,2) / 4 (a DECIMAL(1,0)): DECIMAL(9,6).
	if c := r.DirectResults.ResultSet.Results.Columns[0]; c.StringVal == nil || c.StringVal.Values[0] != "0.375000" {
		t.Errorf(":d / 4 with d = 1.50 DECIMAL(5,2): %v, Spark answers 0.375000", c)
	}
}

// Spark casts a decimal or a floating value to an integral type toward
// zero; a string under ANSI only when it is an integer (CAST_INVALID_INPUT,
// 22018, otherwise; try_cast answers NULL), without ANSI by its integral
// part.
func TestSparkCastToIntegral(t *testing.T) {
	s, sh := newService(t)
	on := map[string]string{
		"SELECT CAST(2.7 AS INT)":                          "2",
		"SELECT CAST(-2.7 AS INT)":                         "-2",
		"SELECT CAST(CAST(2.7 AS DOUBLE) AS BIGINT)":       "2",
		"SELECT int(2.99)":                                 "2",
		"SELECT CAST(2.99 AS INT) + CAST(-1.5 AS INT)":     "1",
		"SELECT (CAST(7.9 AS DOUBLE))::INT":                "7",
		"SELECT CAST(1.0 / 3 * 10 AS INT)":                 "3",
		"SELECT CAST(' 12 ' AS INT)":                       "12",
		"SELECT CAST('-12' AS BIGINT)":                     "-12",
		"SELECT CAST('2.7' AS INT)":                        "22018",
		"SELECT try_cast('2.7' AS INT)":                    "NULL",
		"SELECT CAST(NULL AS STRING)":                      "NULL",
		"SELECT CAST(CAST(NULL AS STRING) AS INT) IS NULL": "true",
	}
	outcome := func(q string) string { return sparkAnswer(s, sh, q) }
	for q, want := range on {
		if got := outcome(q); got != want {
			t.Errorf("ANSI on: %s = %s, Spark: %s", q, got, want)
		}
	}
	if _, state, msg := sparkOutcome(s, sh, "SELECT CAST('2.7' AS INT)"); state != "22018" || !strings.Contains(msg, "[CAST_INVALID_INPUT]") {
		t.Errorf("CAST('2.7' AS INT) under ANSI: %s %s", state, msg)
	}
	if _, state, msg := sparkOutcome(s, sh, "SET spark.sql.ansi.enabled=false"); state != "" {
		t.Fatal(msg)
	}
	for q, want := range map[string]string{
		"SELECT CAST('2.7' AS INT)":         "2",
		"SELECT CAST('-2.7' AS INT)":        "-2",
		"SELECT CAST('2.x' AS INT) IS NULL": "true",
		"SELECT CAST(2.7 AS INT)":           "2",
	} {
		if got := outcome(q); got != want {
			t.Errorf("ANSI off: %s = %s, Spark: %s", q, got, want)
		}
	}
}

// Spark writes a double or a float cast to a string as Java's toString
// does; its concat is NULL when an argument is.
func TestSparkDoubleTextAndConcat(t *testing.T) {
	s, sh := newService(t)
	for q, want := range map[string]string{
		"SELECT CAST(CAST(1.0E10 AS DOUBLE) AS STRING)":                    "1.0E10",
		"SELECT CAST(CAST(1e-5 AS DOUBLE) AS STRING)":                      "1.0E-5",
		"SELECT CAST(CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE) AS STRING)": "0.30000000000000004",
		"SELECT CAST(CAST(100 AS DOUBLE) AS STRING)":                       "100.0",
		"SELECT CAST(CAST(1234567.5 AS DOUBLE) AS STRING)":                 "1234567.5",
		"SELECT CAST(CAST(12345678.5 AS DOUBLE) AS STRING)":                "1.23456785E7",
		"SELECT CAST(CAST(0.001 AS DOUBLE) AS STRING)":                     "0.001",
		"SELECT CAST(CAST(0.0001 AS DOUBLE) AS STRING)":                    "1.0E-4",
		"SELECT CAST(CAST(1.1 AS FLOAT) AS STRING)":                        "1.1",
		"SELECT CAST(CAST('NaN' AS DOUBLE) AS STRING)":                     "NaN",
		"SELECT CAST(CAST('-Infinity' AS DOUBLE) AS STRING)":               "-Infinity",
		"SELECT string(CAST(2 AS DOUBLE))":                                 "2.0",
		"SELECT CAST(1.50 AS STRING)":                                      "1.50", // a decimal keeps its scale
		// An array cast to a string: null for NULL, no quotes, Java's doubles.
		"SELECT CAST(array('a,b', NULL, 'c') AS STRING)":        "[a,b, null, c]",
		"SELECT CAST(array(array(1, NULL), array()) AS STRING)": "[[1, null], []]",
		"SELECT CAST(array(CAST(1e10 AS DOUBLE)) AS STRING)":    "[1.0E10]",
		// A decimal to Spark that DuckDB would see as a double (a decimal
		// avg or quotient) is written and rounded as the decimal.
		"SELECT CAST(avg(DISTINCT CAST(x AS DECIMAL(3,1))) AS STRING) FROM VALUES (1), (1), (2) AS t(x)": "1.50000",
		"SELECT CAST(1.0 / 3 AS STRING)": "0.333333",
		"SELECT CAST(round(avg(CAST(x AS DECIMAL(3,1))), 2) AS STRING) FROM VALUES (1), (1), (2) AS t(x)": "1.33",
		"SELECT concat('a', NULL) IS NULL": "true",
		// Spark rounds a double's decimal text half up (BigDecimal(d)).
		"SELECT CAST(round(CAST(1.005 AS DOUBLE), 2) AS STRING)":                    "1.01",
		"SELECT CAST(round(CAST(0.285 AS DOUBLE), 2) AS STRING)":                    "0.29",
		"SELECT CAST(round(CAST(2.5 AS DOUBLE)) AS STRING)":                         "3.0",
		"SELECT CAST(round(CAST(-2.5 AS DOUBLE)) AS STRING)":                        "-3.0",
		"SELECT CAST(round(CAST(1234.5 AS DOUBLE), -2) AS STRING)":                  "1200.0",
		"SELECT CAST(ROUND(avg(x), 1) AS STRING) FROM VALUES (1), (2), (2) AS t(x)": "1.7",
		"SELECT CAST(round(1.005, 2) AS STRING)":                                    "1.01",
		"SELECT concat('Spark', 'SQL')":                                             "SparkSQL",
		"SELECT CAST(concat(array(1, 2), NULL) AS STRING) IS NULL":                  "true",
	} {
		v, state, msg := sparkOutcome(s, sh, q)
		if state != "" || v != want {
			t.Errorf("%s = %s %s %s, Spark: %s", q, v, state, msg, want)
		}
	}
}

// Spark sorts NULLs first ascending and last descending, in ORDER BY and
// in windows (DuckDB: last in both); array_sort puts them last, and
// array_agg (collect_list) leaves them out.
func TestSparkNullOrder(t *testing.T) {
	s, sh := newService(t)
	col := func(q string) string {
		rows, _ := run(t, s, sh, q)
		var out []string
		for _, r := range rows {
			out = append(out, r[0])
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"SELECT coalesce(CAST(x AS STRING), 'null') FROM VALUES (1), (NULL), (2) t(x) ORDER BY x":                                "null,1,2",
		"SELECT coalesce(CAST(x AS STRING), 'null') FROM VALUES (1), (NULL), (2) t(x) ORDER BY x DESC":                           "2,1,null",
		"SELECT coalesce(CAST(x AS STRING), 'null') FROM VALUES (1), (NULL), (2) t(x) ORDER BY x ASC NULLS LAST":                 "1,2,null",
		"SELECT CAST(rank() OVER (ORDER BY x) AS STRING) FROM VALUES (1), (NULL), (2) t(x) ORDER BY x DESC":                      "3,2,1",
		"SELECT coalesce(CAST(first_value(x) OVER (ORDER BY x) AS STRING), 'null') FROM VALUES (1), (NULL), (2) t(x) ORDER BY x": "null,null,null",
		"SELECT CAST(array_sort(array('b', NULL, 'a')) AS STRING)":                                                               "[a, b, null]",
		"SELECT CAST(sort_array(array('b', NULL, 'a')) AS STRING)":                                                               "[null, a, b]",
		// collect_list and collect_set over a window, without NULLs.
		"SELECT CAST(collect_list(x) OVER (ORDER BY y) AS STRING) FROM VALUES (1, 1), (NULL, 2), (2, 3) t(x, y) ORDER BY y": "[1],[1],[1, 2]",
		"SELECT CAST(collect_set(x) OVER () AS STRING) FROM VALUES (1, 1), (NULL, 2), (1, 3) t(x, y)":                       "[1],[1],[1]",
		"SELECT CAST(array_agg(x) AS STRING) FROM VALUES (1), (NULL) t(x)":                                                  "[1]",
	} {
		if got := col(q); got != want {
			t.Errorf("%s = %s, Spark: %s", q, got, want)
		}
	}
}

// A date minus a date is an interval of days in Spark; with ANSI off,
// integral +, - and * wrap around their type (two's complement), where
// ANSI raises ARITHMETIC_OVERFLOW.
func TestSparkDateDifferenceAndLegacyOverflow(t *testing.T) {
	s, sh := newService(t)
	rows, schema := run(t, s, sh, "SELECT DATE '2020-03-01' - DATE '2020-02-01' AS d")
	if len(rows) != 1 || rows[0][0] != "29 00:00:00.000000000" || schema.Columns[0].TypeDesc.Types[0].PrimitiveEntry.Type != tcli.TTypeId_INTERVAL_DAY_TIME_TYPE {
		t.Errorf("DATE '2020-03-01' - DATE '2020-02-01' = %v (%v), Spark: an interval of 29 days", rows, schema.Columns[0].TypeDesc)
	}
	if _, state, _ := sparkOutcome(s, sh, "SELECT CAST(2147483647 + 1 AS STRING)"); state != "22003" {
		t.Errorf("ANSI on: 2147483647 + 1 is %q, Spark: 22003", state)
	}
	if _, state, msg := sparkOutcome(s, sh, "SET spark.sql.ansi.enabled=false"); state != "" {
		t.Fatal(msg)
	}
	for q, want := range map[string]string{
		"SELECT CAST(2147483647 + 1 AS STRING)":                                   "-2147483648",
		"SELECT CAST(CAST(2147483647 AS INT) * 2 + 1 AS STRING)":                  "-1",
		"SELECT CAST(9223372036854775807 + 1 AS STRING)":                          "-9223372036854775808",
		"SELECT CAST(CAST(100 AS TINYINT) + CAST(100 AS TINYINT) AS STRING)":      "-56",
		"SELECT CAST(x * 3 AS STRING) FROM VALUES (CAST(1000000000 AS INT)) t(x)": "-1294967296",
		"SELECT CAST(1 + 2 AS STRING)":                                            "3",
		// The rewrite's DuckDB text is read as DuckDB reads it: a quoted
		// name stays a name, a backslash stays in its string.
		"SELECT CAST(`x y` + 1 AS STRING) FROM (SELECT 1 AS `x y`)": "2",
		`SELECT CAST(length('a\\b') AS STRING)`:                     "3",
	} {
		if v, state, msg := sparkOutcome(s, sh, q); v != want {
			t.Errorf("ANSI off: %s = %s %s %s, Spark: %s", q, v, state, msg, want)
		}
	}
}

// Spark's Thrift server prints a nested double by Java's toString and a
// nested decimal with its scale; a list of decimals or timestamps is an
// ARRAY column, not the decimal or timestamp its DuckDB name starts with.
func TestSparkNestedNumbers(t *testing.T) {
	s, sh := newService(t)
	for q, want := range map[string]string{
		"SELECT array(CAST(1e10 AS DOUBLE), 1.5D, NULL)":                        "[1.0E10,1.5,null]",
		"SELECT map('a', CAST(1e-5 AS DOUBLE))":                                 `{"a":1.0E-5}`,
		"SELECT array(1.50BD)":                                                  "[1.50]",
		"SELECT array(TIMESTAMP '2020-01-01 10:00:00')":                         "[2020-01-01 10:00:00]",
		"SELECT named_struct('a', CAST(1e10 AS FLOAT), 'b', CAST(2 AS DOUBLE))": `{"a":1.0E10,"b":2.0}`,
	} {
		v, state, msg := sparkOutcome(s, sh, q)
		if state != "" || v != want {
			t.Errorf("%s = %s %s %s, Spark's Thrift server: %s", q, v, state, msg, want)
		}
	}
	for _, q := range []string{"SELECT array(1.50BD)", "SELECT array(TIMESTAMP '2020-01-01 10:00:00')"} {
		_, schema := run(t, s, sh, q)
		if got := schema.Columns[0].TypeDesc.Types[0].PrimitiveEntry.Type; got != tcli.TTypeId_ARRAY_TYPE {
			t.Errorf("%s: column type %v, want ARRAY_TYPE", q, got)
		}
	}
}

// Spark's arr[i] counts from 0, and past the end (or below 0) is
// INVALID_ARRAY_INDEX (22003) under ANSI, NULL without; array_contains is
// NULL where the array holds a NULL and not the value; flatten is NULL
// where an inner array is; size(NULL) is NULL under ANSI, -1 without.
func TestSparkArrayAccess(t *testing.T) {
	s, sh := newService(t)
	outcome := func(q string) string { return sparkAnswer(s, sh, q) }
	on := map[string]string{
		"SELECT array(1, 2)[0]":                               "1",
		"SELECT split('a,b,c', ',')[1]":                       "b",
		"SELECT a[0] + a[1] FROM (SELECT array(10, 20) AS a)": "30",
		"SELECT array(array(1, 2), array(3))[1][0]":           "3",
		"SELECT map('k', 1)['k']":                             "1",
		"SELECT named_struct('f', 7)['f']":                    "7",
		"SELECT array(1, 2)[5]":                               "22003",
		"SELECT array(1, 2)[-1]":                              "22003",
		"SELECT get(array(1, 2), 5)":                          "NULL",
		"SELECT array_contains(array(1, NULL), 2)":            "NULL",
		"SELECT array_contains(array(1, NULL), 1)":            "true",
		"SELECT array_contains(array(1, 3), 2)":               "false",
		"SELECT flatten(array(array(1), NULL))":               "NULL",
		"SELECT size(NULL)":                                   "NULL",
	}
	for q, want := range on {
		if got := outcome(q); got != want {
			t.Errorf("ANSI on: %s = %s, Spark: %s", q, got, want)
		}
	}
	if _, _, msg := sparkOutcome(s, sh, "SELECT array(1, 2)[5]"); !strings.Contains(msg, "[INVALID_ARRAY_INDEX]") {
		t.Errorf("array(1, 2)[5]: %s", msg)
	}
	if _, state, msg := sparkOutcome(s, sh, "SET spark.sql.ansi.enabled=false"); state != "" {
		t.Fatal(msg)
	}
	for q, want := range map[string]string{"SELECT array(1, 2)[5]": "NULL", "SELECT size(NULL)": "-1", "SELECT array(1, 2)[1]": "2"} {
		if got := outcome(q); got != want {
			t.Errorf("ANSI off: %s = %s, Spark: %s", q, got, want)
		}
	}
}

// Spark's sum of an integral is a BIGINT and of a DECIMAL(p, s) a
// DECIMAL(p + 10, s); DuckDB's are a HUGEINT (described as DECIMAL(38,0))
// and a DECIMAL(38, s).
func TestSparkSumTypes(t *testing.T) {
	s, sh := newService(t)
	for q, want := range map[string]string{
		"SELECT sum(x) FROM VALUES (1), (2) AS t(x)":                               "BIGINT",
		"SELECT sum(x) OVER () FROM VALUES (1), (2) AS t(x)":                       "BIGINT",
		"SELECT sum(CAST(x AS DECIMAL(10,2))) FROM VALUES (1), (2) AS t(x)":        "DECIMAL(20,2)",
		"SELECT sum(DISTINCT x) FILTER (WHERE x > 1) FROM VALUES (1), (2) AS t(x)": "BIGINT",
		"SELECT sum(CAST(x AS DOUBLE)) FROM VALUES (1), (2) AS t(x)":               "DOUBLE",
	} {
		rows, _ := run(t, s, sh, q)
		if got := firstColumnType(t, s, sh, q); got != want || len(rows) == 0 {
			t.Errorf("%s: a %s column (%v), Spark: %s", q, got, rows, want)
		}
	}
}
