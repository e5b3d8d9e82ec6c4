package duckdb

import (
	"strings"
	"testing"
)

// leftOperand reads a division's left operand back as DuckDB binds it:
// *, / and % bind left to right and tighter than + and -; signs, casts,
// subscripts, calls with their FILTER and OVER bind tighter still.
func TestLeftOperand(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT a / b":                             "a",
		"SELECT 1 + 2.5 * x / y":                   "2.5 * x",
		"SELECT a / b / c":                         "a / b", // the second /
		"SELECT -x / 2":                            "-x",
		"SELECT 3 - x / 2":                         "x",
		"SELECT t.x::DECIMAL(5,1) / 2":             "t.x::DECIMAL(5,1)",
		"SELECT CAST(x AS DECIMAL(5,1)) / 2":       "CAST(x AS DECIMAL(5,1))",
		"SELECT (a + b) / 2":                       "(a + b)",
		"SELECT sum(x) OVER (PARTITION BY n) / 2":  "sum(x) OVER (PARTITION BY n)",
		"SELECT sum(x) FILTER (WHERE n > 0) / 2":   "sum(x) FILTER (WHERE n > 0)",
		"SELECT arr[1] / 2":                        "arr[1]",
		"SELECT CASE WHEN a THEN 1 ELSE 2 END / 2": "CASE WHEN a THEN 1 ELSE 2 END",
		"SELECT x FROM t WHERE (y) / 2 > 1":        "(y)",
	} {
		toks := lex(sql)
		op := -1
		for i, tk := range toks {
			if tk.text == "/" {
				op = i // the last /
			}
		}
		start := leftOperand(toks, op)
		if start < 0 {
			t.Errorf("%s: not read", sql)
			continue
		}
		if got := strings.TrimSpace(render(toks[start:op])); got != want {
			t.Errorf("%s: left operand %q, want %q", sql, got, want)
		}
	}
	if toks := lex("SELECT DISTINCT / 2"); leftOperand(toks, 4) >= 0 {
		t.Error("a keyword read as an operand")
	}
}

// FuzzDecimalSpans: reading a division's operands and the avg calls back
// from any text never panics, and the rewrite keeps the text around them.
func FuzzDecimalSpans(f *testing.F) {
	for _, s := range []string{"SELECT a / kitsune_fn.main.spark_divisor(b)", "SELECT (x / kitsune_fn.main.spark_divisor(3)) / kitsune_fn.main.spark_divisor(2)",
		"SELECT avg(x) FILTER (WHERE y) OVER w, mean(z) OVER (", "SELECT ) / spark_divisor(", "END / spark_divisor(CASE", "] / x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if toks := lexDuck(s); render(toks) != s {
			t.Fatalf("lexDuck does not render %q back", s)
		}
		toks := lex(s)
		var spans []decimalSpan
		for i, tk := range toks {
			if tk.text == "/" {
				if sp, ok := divisionSpan(toks, i); ok {
					sp.typ = sparkNum{class: numDecimal, p: 10, s: 2}
					spans = append(spans, sp)
				}
			}
		}
		if avgs, ok := callSpans(toks, "AVG", "MEAN", "SUM"); ok {
			for _, sp := range avgs {
				sp.avg, sp.typ = true, sparkNum{class: numDecimal, p: 7, s: 5}
				spans = append(spans, sp)
			}
			_, _ = callProbe(toks, avgs)
		}
		out := rewriteDecimals(toks, spans)
		if len(spans) == 0 && out != render(toks) {
			t.Errorf("no span, yet %q became %q", render(toks), out)
		}
	})
}
