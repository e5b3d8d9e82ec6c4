package duckdb

import (
	"context"
	"strings"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Spark 4.1's answers, from the examples of its SQL function reference:
// the local engine gives them, or refuses with SQLSTATE 0A000 — never
// DuckDB's different answer under Spark's name.
func TestSparkAnswers(t *testing.T) {
	s, sh := newService(t)
	answers := map[string]string{
		"SELECT 3 ^ 5":                       "6",
		"SELECT 2 ^ 3 & 1":                   "3", // & binds tighter than ^
		"SELECT 1 + 3 ^ 5":                   "1", // + binds tighter than ^
		"SELECT dayname(DATE('2008-02-20'))": "Wed",
		"SELECT sort_array(array('b', 'd', null, 'c', 'a'), true)":                                                 `[null,"a","b","c","d"]`,
		"SELECT sort_array(array('b', 'd', null, 'c', 'a'), false)":                                                `["d","c","b","a",null]`,
		"SELECT listagg(col) FROM VALUES ('a'), ('b'), ('c') AS tab(col)":                                          "abc",
		"SELECT approx_percentile(col, array(0.5, 0.4, 0.1), 100) FROM VALUES (0), (1), (2), (10) AS tab(col)":     "[1,1,0]",
		"SELECT percentile_approx(col, array(0.5, 0.4, 0.1), 100) FROM VALUES (0), (1), (2), (10) AS tab(col)":     "[1,1,0]",
		"SELECT CAST(approx_percentile(col, 0.5, 100) AS STRING) FROM VALUES (0), (6), (7), (9), (10) AS tab(col)": "7",
		"SELECT map(1, 'a', 2, 'b')": `{1:"a",2:"b"}`,
		// Spark's moment formulas on two partitions, to the last digit.
		"SELECT CAST(skewness(col) AS STRING) FROM VALUES (-10), (-20), (100), (1000) AS tab(col)":                    "1.1135657469022011",
		"SELECT CAST(kurtosis(col) AS STRING) FROM VALUES (1), (10), (100), (10), (1) AS tab(col)":                    "0.19432323191699075",
		"SELECT CAST(regr_r2(y, x) AS STRING) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x)":             "0.7500000000000001",
		"SELECT CAST(aes_decrypt(unbase64('3lmwu+Mw0H3fi5NDvcu9lg=='), '1234567890abcdef', 'ECB', 'PKCS') AS STRING)": "Spark SQL",
		"SELECT make_valid_utf8(x'61C262')":                 "a\uFFFDb",
		"SELECT hex(lpad(unhex('aabb'), 5, unhex('1122')))": "112211AABB",
		"SELECT 4 >>> 1": "2",
		"SELECT parse_json('{\"b\": 1, \"a\": 2}')":                         `{"a":2,"b":1}`,
		"SELECT variant_get(parse_json('[1, \"2\"]'), '$[1]', 'int') + 1":   "3",
		"SELECT schema_of_variant(parse_json('[{\"b\":true,\"a\":0}]'))":    "ARRAY<OBJECT<a: BIGINT, b: BOOLEAN>>",
		"SELECT xpath_string('<a><b>b</b><c>cc</c></a>', 'a/c')":            "cc",
		"SELECT arrays_zip(array(1, 2), array(3, 4))":                       `[{"0":1,"1":3},{"0":2,"1":4}]`,
		"SELECT CAST(array_insert(array(5, 3, 2, 1), -4, 4) AS STRING)":     "[5, 4, 3, 2, 1]",
		"SELECT CAST(try_add(date'2021-01-01', interval 1 year) AS STRING)": "2022-01-01",
		"SELECT size(map('a', 1, 'b', 2))":                                  "2",
		"SELECT CAST(substr(encode('Spark SQL', 'utf-8'), 5) AS STRING)":    "k SQL",
		"SELECT length(x'537061726b2053514c')":                              "9",
		"SELECT hash('Spark', array(123), 2)":                               "-1321691492",
		// A struct keeps its declared field order, nested too.
		"SELECT named_struct('b', 1, 'a', 2)":                                                                             `{"b":1,"a":2}`,
		"SELECT array(named_struct('z', map('k', named_struct('y', 1, 'x', 2)), 'a', 0))":                                 `[{"z":{"k":{"y":1,"x":2}},"a":0}]`,
		"SELECT zip_with(array(1, 2), array('a', 'b'), (x, y) -> (y, x))":                                                 `[{"y":"a","x":1},{"y":"b","x":2}]`,
		"SELECT map_zip_with(map('a', 1, 'b', 2), map('b', 3, 'c', 4), (k, v1, v2) -> coalesce(v1, 0) + coalesce(v2, 0))": `{"a":1,"b":5,"c":4}`,
		"SELECT from_json('{\"b\": 0.8, \"a\": 1}', 'a INT, b DOUBLE')":                                                   `{"a":1,"b":0.8}`,
		"SELECT from_json('[1, 2]', 'ARRAY<INT>')":                                                                        "[1,2]",
		"SELECT grouping_id() AS g FROM VALUES (1, 2) AS t(a, b) GROUP BY cube(a, b) ORDER BY g DESC LIMIT 1":             "3",
		// A double operand makes it Spark's double division; the Spark
		// macros' own divisions of decimals are not the statement's.
		"SELECT CAST(CAST(1.0 AS DOUBLE) / 4 AS STRING)":                 "0.25",
		"SELECT CAST(7 / 2 AS STRING)":                                   "3.5",
		"SELECT width_bucket(5.3, 0.2, 10.6, 5)":                         "3",
		"SELECT soundex('Miller')":                                       "M460",
		"SELECT CAST(filter(array(0, 2, 3), (x, i) -> x > i) AS STRING)": "[2, 3]", // Spark's index counts from 0
		"SELECT make_interval(0, 1, 0, 1, 0, 0, 100.000001)":             "1 months 1 days 1 minutes 40.000001 seconds",
		"SELECT format_number(12332.123456, 4)":                          "12,332.1235",
		"SELECT format_number(2.675, 2)":                                 "2.68", // a decimal: half-even on its digits
		"SELECT format_number(CAST(2.675 AS DOUBLE), 2)":                 "2.67", // a double: Java rounds its binary value
		"SELECT listagg(col, '-') WITHIN GROUP (ORDER BY col DESC) FROM VALUES ('a'), ('b'), ('c') AS tab(col)": "c-b-a",
		"SELECT element_at(map(1, 'a', 2, 'b'), 2)":                                                             "b",
		"SELECT element_at(array(1, 2, 3), 2)":                                                                  "2",
		"SELECT array_position(array(312, 773, 708, 708), 414)":                                                 "0",
		"SELECT date_format('2016-04-08', 'y')":                                                                 "2016",
		"SELECT date_format('2016-04-08', 'd/M/yy')":                                                            "8/4/16",
		"SELECT date_format('2016-04-08', \"EEEE 'the' dd\")":                                                   "Friday the 08",
		"SELECT CAST(to_date('2016-12-31', 'yyyy-MM-dd') AS STRING)":                                            "2016-12-31",
		"SELECT transform(array(1, 2, 3), x -> x + 1)":                                                          "[2,3,4]",
		"SELECT sum(pos) FROM (SELECT posexplode(array(10, 20)))":                                               "1",
		"SELECT ceil(3.1411, 3)":                                                                                "3.142",
		"SELECT floor(3.1411, -3)":                                                                              "0",
		"SELECT extract(DOW FROM DATE '2020-01-05')":                                                            "1", // a Sunday: Spark counts from Sunday = 1
		"SELECT date_part('dayofweek', DATE '2020-01-05')":                                                      "1",
		"SELECT extract(DOW_ISO FROM DATE '2020-01-05')":                                                        "7",
		"SELECT 1.0 / 3": "0.333333",
		"SELECT avg(CAST(x AS DECIMAL(3,1))) OVER () FROM VALUES (1) AS t(x)": "1.00000",
	}
	for q, want := range answers {
		resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
		if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Errorf("%s: %s", q, resp.Status.GetErrorMessage())
			continue
		}
		fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 10})
		if got := cellString(fr.Results.Columns[0], 0); got != want {
			t.Errorf("%s = %s, Spark answers %s", q, got, want)
		}
	}
	refusals := map[string]string{
		"SELECT CAST(named_struct('a', 1, 'b', 'x') AS STRING)":                                  "a CAST of a struct or a map to a string is not supported",
		"SELECT CAST(map('a', 1) AS STRING)":                                                     "Spark writes {1, x} and {a -> 1}",
		"SELECT from_json('{}', 'a INT', map('mode', 'FAILFAST'))":                               "function from_json with options is not supported",
		"SELECT try_avg(col) FROM VALUES (1), (2) AS tab(col)":                                   "function try_avg is not supported on the local engine: DuckDB's avg raises",
		"SELECT to_json(map(named_struct('a', 1), 2))":                                           "Spark writes such a key as [v1,v2]",
		"SELECT kll_sketch_get_n_bigint(kll_sketch_agg_bigint(col)) FROM VALUES (1) AS tab(col)": "KLL sketches are Apache DataSketches binaries",
		"SELECT try_add(date'2021-01-01', interval 1 hour)":                                      "of a date and an interval is not supported",
		"SELECT hash(current_date())":                                                            "[UNSUPPORTED_FEATURE] hashing a time.Time as Spark does is not supported",
		"SELECT array_sort(array(5, 6, 1), (l, r) -> l - r)":                                     "function array_sort with a comparator is not supported",
		"SELECT date_format('2016-04-08', 'G yyyy')":                                             "pattern letter G",
		"SELECT date_format('2016-04-08', 'yyyy-MM-dd Q')":                                       "pattern letter Q",
	}
	for q, want := range refusals {
		v, state, msg := sparkOutcome(s, sh, q)
		if state == "" {
			t.Errorf("%s answered %s, want a refusal", q, v)
			continue
		}
		if state != StateUnsupported || !strings.Contains(msg, want) {
			t.Errorf("%s: %s %q, want 0A000 naming %q", q, state, msg, want)
		}
	}
}

func TestJavaPatterns(t *testing.T) {
	for p, want := range map[string]string{
		"yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S", "y": "%Y", "yy": "%y", "d/M": "%-d/%-m", "MMM MMMM": "%b %B",
		"EEE EEEE a": "%a %A %p", "HH:mm:ss.SSS": "%H:%M:%S.%g", "SSSSSS": "%f", "'T'HH": "T%H", "''": "'", "100%": "100%%",
		"D": "%-j", "DDD": "%j", "hh": "%I",
	} {
		if got, err := javaPattern(p, false); err != nil || got != want {
			t.Errorf("javaPattern(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
	if got, _ := javaPattern("d/M/y", true); got != "%d/%m/%Y" {
		t.Errorf("parsing pattern = %q", got)
	}
	for _, p := range []string{"G", "Q", "z", "X", "'open", "SS", "k"} {
		if _, err := javaPattern(p, false); err == nil {
			t.Errorf("javaPattern(%q) converted a pattern it cannot", p)
		}
	}
}
