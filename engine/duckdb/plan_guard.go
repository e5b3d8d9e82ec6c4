package duckdb

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Spark divides and averages decimals into decimals by its precision
// rules (1.0 / 3 is 0.333333, a DECIMAL(7,6); avg of a DECIMAL(3,1) is a
// DECIMAL(7,5)); DuckDB answers doubles. DuckDB's own bound plan
// (json_serialize_plan, unoptimized) says which operands are decimals and
// of which types (decimal_types.go): a division of the statement's own
// (its divisor goes through spark_divisor, so the Spark macros' inner
// divisions are not taken for it) or an avg of a decimal is rewritten to
// Spark's answer, and refused where the plan does not give Spark's type.

const decimalRefusalText = "this decimal division or average is not supported on the local engine: " +
	"Spark answers a decimal by its precision rules, and the local engine does not read Spark's type of an operand here; CAST the operands to DECIMAL(p, s) for Spark's decimal answer, or to DOUBLE for its double one"

// The same plan shows a CAST of a struct or a map to a string, which Spark
// writes as {1, x} and {a -> 1} and DuckDB as {'a': 1, 'b': x} and
// {a=1}: such a cast is refused too.
const nestedCastRefusalText = "a CAST of a struct or a map to a string is not supported on the local engine: " +
	"Spark writes {1, x} and {a -> 1}, DuckDB {'a': 1, 'b': x} and {a=1}; to_json gives JSON text"

const castRefusalText = "this CAST to an integral type is not supported on the local engine: " +
	"Spark truncates a decimal or a floating value toward zero where DuckDB rounds, and the local engine did not find the CAST's argument; trunc(x) gives Spark's answer"

// castsToString finds a cast to a string in the statement's text.
var castsToString = regexp.MustCompile(`(?i)\bAS\s+(STRING|VARCHAR|TEXT)\b|::\s*(STRING|VARCHAR|TEXT)\b`)

// needsPlanGuard is the cheap test before the plan is read: a division,
// an avg, a round, a minus (of dates), a subscript, a cast to a string or
// to an integral type in the statement's text.
func needsPlanGuard(sql string) bool {
	lower := strings.ToLower(sql)
	return strings.Contains(sql, "spark_divisor(") || strings.Contains(lower, "avg(") || strings.Contains(lower, "round(") || strings.Contains(lower, "sum(") ||
		strings.ContainsAny(sql, "-[") || castsToString.MatchString(sql) || castsToIntegral.MatchString(sql)
}

// planSpark reads the statement's plan for what DuckDB answers otherwise
// than Spark: a CAST of a struct or a map to a string is refused; a
// decimal division or avg is rewritten to Spark's answer
// (decimal_rewrite.go), or refused where its Spark type is not read; a
// CAST to an integral type truncates (cast_integral.go). A statement
// DuckDB cannot plan here is left to run (and fail) as it is.
func planSpark(ctx context.Context, ss *session, sql string) (string, error) {
	if !needsPlanGuard(sql) {
		return sql, nil
	}
	tree, ok := readPlan(ctx, ss, sql)
	if !ok {
		return sql, nil
	}
	if castsNestedToString(tree) {
		return "", unsupported(nestedCastRefusalText)
	}
	ty := typer{sql: sql}.withCTEs(tree)
	uses, casts, ariths, sums := ty.planUses(tree), ty.castUses(tree, ss.ansi()), ty.arithUses(tree, false), sumsToType(tree)
	if len(uses) == 0 && len(casts) == 0 && len(ariths) == 0 && !sums {
		return sql, nil
	}
	toks, at, ok := statementTokens(sql)
	spans, okDiv := divisionSpans(toks, at, uses)
	dates, okDates := arithSpans(toks, at, ariths)
	if !ok || !okDiv || !okDates {
		return "", unsupported(decimalRefusalText)
	}
	spans = append(spans, dates...)
	for _, u := range uses {
		if u.avg {
			avgs, ok := typedAvgs(ctx, ss, toks)
			if !ok {
				return "", unsupported(decimalRefusalText)
			}
			spans = append(spans, avgs...)
			break
		}
	}
	if sums {
		spans = append(spans, typedSums(ctx, ss, toks)...)
	}
	for _, c := range casts {
		i, placed := at[c.loc]
		if !placed {
			continue // inside a macro's expansion
		}
		sp, ours, ok := castSpan(toks, i, c)
		switch {
		case !ours:
		case !ok:
			return "", unsupported(castRefusalText)
		default:
			spans = append(spans, sp)
		}
	}
	return rewriteDecimals(toks, spans), nil
}

// typedAvgs are the statement's avg calls of a decimal, typed from the
// plan of its probe (callProbe).
func typedAvgs(ctx context.Context, ss *session, toks []token) ([]decimalSpan, bool) {
	spans, ok := callSpans(toks, "AVG", "MEAN")
	if !ok || len(spans) == 0 {
		return nil, false
	}
	types, ok := probeTypes(ctx, ss, toks, spans)
	if !ok {
		return nil, false
	}
	var out []decimalSpan
	for i, sp := range spans {
		switch a := types[i]; a.class {
		case numUnknown:
			return nil, false
		case numDecimal:
			sp.avg, sp.typ = true, a
			out = append(out, sp)
		}
	}
	return out, true
}

// typedSums are the statement's sum calls of an integral or a decimal,
// cast to Spark's type of the sum (BIGINT; DECIMAL(p + 10, s)) where
// DuckDB's is wider (HUGEINT, DECIMAL(38, s)): the value is the same, the
// column's type is Spark's. A sum not typed here keeps DuckDB's type.
func typedSums(ctx context.Context, ss *session, toks []token) []decimalSpan {
	spans, ok := callSpans(toks, "SUM")
	if !ok || len(spans) == 0 {
		return nil
	}
	types, ok := probeTypes(ctx, ss, toks, spans)
	if !ok {
		return nil
	}
	var out []decimalSpan
	for i, sp := range spans {
		sp.num = [2]int{sp.start, sp.end}
		switch a := types[i]; a.class {
		case numIntegral:
			sp.wrap, sp.wrapEnd = "CAST(", " AS BIGINT)"
		case numDecimal:
			sp.wrap, sp.wrapEnd = "CAST(", " AS DECIMAL("+strconv.Itoa(a.p)+", "+strconv.Itoa(a.s)+"))"
		default:
			continue
		}
		out = append(out, sp)
	}
	return out
}

// probeTypes types each call span by the plan of the statement's probe
// (callProbe); false when a call is not found in it.
func probeTypes(ctx context.Context, ss *session, toks []token, spans []decimalSpan) ([]sparkNum, bool) {
	probe, marks := callProbe(toks, spans)
	tree, ok := readPlan(ctx, ss, probe)
	if !ok {
		return nil, false
	}
	ty := typer{sql: probe}.withCTEs(tree)
	types := map[int]sparkNum{}
	ty.eachFunction(tree, "*", func(loc int, a sparkNum) { types[loc] = a })
	byText := map[string]sparkNum{} // DuckDB binds a repeated call once (ORDER BY avg(x))
	for i, sp := range spans {
		if a, seen := types[marks[i]]; seen {
			byText[render(toks[sp.start:sp.end+1])] = a
		}
	}
	out := make([]sparkNum, len(spans))
	for i, sp := range spans {
		a, seen := byText[render(toks[sp.start:sp.end+1])]
		if !seen {
			return nil, false
		}
		out[i] = a
	}
	return out, true
}

// sumsToType: the plan sums an integral or a decimal, whose Spark type is
// narrower than DuckDB's.
func sumsToType(tree map[string]any) bool {
	found := false
	typer{}.visit(tree["plans"], nil, func(v map[string]any, _ []planCol) {
		args, _ := v["arguments"].([]any)
		if (v["expression_class"] == "BOUND_AGGREGATE" || v["expression_class"] == "BOUND_WINDOW") && v["name"] == "sum" && len(args) == 1 {
			if c := duckNum(args[0]).class; c == numIntegral || c == numDecimal {
				found = true
			}
		}
	})
	return found
}

// readPlan is DuckDB's unoptimized bound plan of sql, as JSON.
func readPlan(ctx context.Context, ss *session, sql string) (map[string]any, bool) {
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_plan(?::VARCHAR, optimize := false)::VARCHAR", markersAsLiterals(sql)).Scan(&doc); err != nil {
		return nil, false
	}
	var tree map[string]any
	if json.Unmarshal([]byte(doc), &tree) != nil || tree["error"] == true {
		return nil, false
	}
	return tree, true
}

// castsNestedToString walks a plan for a CAST of the statement's own (not
// one the binder added) from a type holding a struct or a map to VARCHAR.
func castsNestedToString(x any) bool {
	switch v := x.(type) {
	case []any:
		for _, e := range v {
			if castsNestedToString(e) {
				return true
			}
		}
	case map[string]any:
		if v["expression_class"] == "BOUND_CAST" && typeIDOf(v["return_type"]) == "VARCHAR" {
			if child, _ := v["child"].(map[string]any); child != nil && v["query_location"] != child["query_location"] && holdsStructOrMap(child["return_type"]) {
				return true
			}
		}
		for _, e := range v {
			if castsNestedToString(e) {
				return true
			}
		}
	}
	return false
}

// holdsStructOrMap reports whether a plan's type is or contains a struct
// or a map.
func holdsStructOrMap(t any) bool {
	switch typeIDOf(t) {
	case "STRUCT", "MAP":
		return true
	case "LIST", "ARRAY":
		m, _ := t.(map[string]any)
		info, _ := m["type_info"].(map[string]any)
		return holdsStructOrMap(info["child_type"])
	}
	return false
}

// uncast is an expression under DuckDB's implicit casts: a cast the
// binder added stands at its operand's place in the query, a CAST of the
// statement's own at the word CAST.
func uncast(x any) any {
	for {
		m, ok := x.(map[string]any)
		if !ok || m["expression_class"] != "BOUND_CAST" {
			return x
		}
		child, _ := m["child"].(map[string]any)
		if child == nil || m["query_location"] != child["query_location"] {
			return x
		}
		x = child
	}
}

// isSparkDivisor: spark_divisor's expansion is a CASE whose zero branch
// raises DIVIDE_BY_ZERO.
func isSparkDivisor(x any) bool {
	m, ok := x.(map[string]any)
	if !ok || m["expression_class"] != "BOUND_CASE" {
		return false
	}
	checks, _ := m["case_checks"].([]any)
	return len(checks) == 1 && raisesDivideByZero(checks[0])
}

func raisesDivideByZero(x any) bool {
	switch v := x.(type) {
	case []any:
		for _, e := range v {
			if raisesDivideByZero(e) {
				return true
			}
		}
	case map[string]any:
		if s, ok := v["value"].(string); ok && strings.HasPrefix(s, "[DIVIDE_BY_ZERO]") {
			return true
		}
		for _, e := range v {
			if raisesDivideByZero(e) {
				return true
			}
		}
	}
	return false
}

// typeID is an expression's type id (a constant's is its value's).
func typeID(x any) string { return typeIDOf(typeOfExpr(x)) }

// typeOfExpr is an expression's DuckDB type (a constant's, its value's).
func typeOfExpr(x any) any {
	m, _ := x.(map[string]any)
	if rt, ok := m["return_type"]; ok {
		return rt
	}
	val, _ := m["value"].(map[string]any)
	return val["type"]
}

func typeIDOf(t any) string {
	m, _ := t.(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// markersAsLiterals is sql with its bound parameters (CAST(? AS t) and
// CAST($name AS t), params.go) as CAST(0 AS t), each the same length, so
// that DuckDB plans it without values and the plan's places and types
// hold for sql.
func markersAsLiterals(sql string) string {
	if !strings.ContainsAny(sql, "?$") {
		return sql
	}
	toks := lexDuck(sql)
	for i, t := range toks {
		if t.kind != tkPunct || (t.text != "?" && t.text != "$") {
			continue
		}
		open := prevSig(toks, i-1)
		if open < 1 || toks[open].text != "(" {
			continue
		}
		if c := prevSig(toks, open-1); c < 0 || !toks[c].is("CAST") {
			continue
		}
		toks[i] = token{kind: tkNumber, text: "0"}
		if t.text == "$" && i+1 < len(toks) && toks[i+1].kind == tkIdent {
			toks[i+1] = token{kind: tkSpace, text: strings.Repeat(" ", len(toks[i+1].text))}
		}
	}
	return render(toks)
}
