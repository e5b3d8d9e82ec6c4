package duckdb

import (
	"strings"
	"testing"
)

// Spark 4's ANSI mode is its default: a division or remainder by zero is
// DIVIDE_BY_ZERO (22012), an overflow ARITHMETIC_OVERFLOW (22003), a cast
// that cannot convert CAST_INVALID_INPUT (22018). With
// spark.sql.ansi.enabled=false, Spark answers NULL for the division and
// the cast.
func TestANSIModeAsSpark(t *testing.T) {
	s, sh := newService(t)
	outcome := func(q string) (string, string) {
		v, state, msg := sparkOutcome(s, sh, q)
		if state != "" {
			return state, msg
		}
		return v, ""
	}
	on := map[string]string{
		"SELECT CAST(1 / 0 AS STRING)":                         "22012",
		"SELECT CAST(7 % 0 AS STRING)":                         "22012",
		"SELECT CAST(7 DIV 0 AS STRING)":                       "22012",
		"SELECT CAST(CAST(1.5 AS DOUBLE) / (2 - 2) AS STRING)": "22012",
		"SELECT CAST(6 / -2 * 3 AS STRING)":                    "-9.0",
		"SELECT CAST(7 % 3 AS STRING)":                         "1",
		"SELECT CAST(2147483647 + 1 AS STRING)":                "22003",
		"SELECT CAST(CAST('abc' AS INT) AS STRING)":            "22018",
		"SELECT CAST(try_divide(1, 0) AS STRING)":              "NULL",
		"SELECT CAST(10 / CAST(4 AS DOUBLE) AS STRING)":        "2.5",
	}
	for q, want := range on {
		if got, msg := outcome(q); got != want {
			t.Errorf("ANSI on: %s = %s %s, Spark: %s", q, got, msg, want)
		}
	}
	if _, msg := outcome("SELECT 1 / 0"); !strings.Contains(msg, "[DIVIDE_BY_ZERO]") || !strings.Contains(msg, "spark.sql.ansi.enabled") {
		t.Errorf("DIVIDE_BY_ZERO names the way out: %s", msg)
	}
	if got, _ := outcome("SET spark.sql.ansi.enabled=maybe"); got != "22023" {
		t.Errorf("a setting that is not a boolean: %s, want 22023", got)
	}
	outcome("SET spark.sql.ansi.enabled=false")
	for q, want := range map[string]string{
		"SELECT CAST(1 / 0 AS STRING)":              "NULL",
		"SELECT CAST(7 % 0 AS STRING)":              "NULL",
		"SELECT CAST(CAST('abc' AS INT) AS STRING)": "NULL",
		"SELECT CAST(CAST('12' AS INT) AS STRING)":  "12",
	} {
		if got, msg := outcome(q); got != want {
			t.Errorf("ANSI off: %s = %s %s, Spark: %s", q, got, msg, want)
		}
	}
}
