package duckdb

import (
	"strconv"
	"strings"
)

// Spark's generators of columns and rows in a select list: json_tuple
// (a column per field, named c0, c1, …) and stack (n rows of the values
// in order, columns col0, col1, …, NULL where the values run out).

func selectItemStart(c *exprCursor) bool { return c.prev.is("SELECT", ",", "DISTINCT") }

func ruleJSONTuple(c *exprCursor) bool {
	if !c.call() || !c.t.is("json_tuple") || !selectItemStart(c) {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) < 2 {
		return false
	}
	j := "(" + args[0] + ")"
	cols := make([]string, 0, len(args)-1)
	for i, k := range args[1:] {
		// An invalid document gives NULLs, as in Spark.
		cols = append(cols, "CASE WHEN json_valid("+j+") THEN json_extract_string("+j+", '$.' || to_json(CAST("+k+" AS VARCHAR))) END AS c"+strconv.Itoa(i))
	}
	return c.emit(tkPunct, strings.Join(cols, ", "), end)
}

func ruleStack(c *exprCursor) bool {
	if !c.call() || !c.t.is("stack") || !selectItemStart(c) {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) < 2 {
		return false
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return false
	}
	values := args[1:]
	width := (len(values) + n - 1) / n
	rows := make([]string, n)
	for r := range n {
		fields := make([]string, width)
		for k := range width {
			v := "NULL"
			if i := r*width + k; i < len(values) {
				v = values[i]
			}
			fields[k] = "col" + strconv.Itoa(k) + " := " + v
		}
		rows[r] = "struct_pack(" + strings.Join(fields, ", ") + ")"
	}
	return c.emit(tkPunct, "unnest(["+strings.Join(rows, ", ")+"], recursive := true)", end)
}

// rulePercentileDisc: Spark's percentile_disc of numbers is a double
// (DuckDB's keeps the column's type; an interval's cannot be cast and is
// refused).
func rulePercentileDisc(c *exprCursor) bool {
	if !c.call() || !c.t.is("percentile_disc") {
		return false
	}
	end := matchParen(c.toks, c.n)
	within := nextSig(c.toks, end+1)
	if within >= len(c.toks) || !c.toks[within].is("WITHIN") {
		return false
	}
	open := nextSig(c.toks, nextSig(c.toks, within+1)+1)
	if open >= len(c.toks) || c.toks[open].text != "(" {
		return false
	}
	last := matchParen(c.toks, open)
	return c.emit(tkPunct, "CAST(percentile_disc("+strings.TrimSpace(render(rewriteExpr(c.toks[c.n+1:end])))+") WITHIN GROUP ("+
		strings.TrimSpace(render(rewriteExpr(c.toks[open+1:last])))+") AS DOUBLE)", last)
}
