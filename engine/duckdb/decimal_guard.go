package duckdb

import (
	"context"
	"encoding/json"
	"strings"
)

// Spark divides and averages decimals into decimals by its precision
// rules (1.0 / 3 is 0.333333333333; avg of DECIMAL(3,1) is a
// DECIMAL(7,5)); DuckDB answers doubles. Until the local engine computes
// Spark's decimal types, such a statement is refused rather than answered
// otherwise. DuckDB's own bound plan (json_serialize_plan) says which
// operand is a decimal: a division of the statement's own (its divisor
// goes through spark_divisor, so the Spark macros' inner divisions are
// not taken for it) or an avg whose argument is a decimal.

const decimalRefusalText = "decimal division and averages are not supported on the local engine: " +
	"Spark answers a decimal by its precision rules, DuckDB a double; CAST an operand to DOUBLE for Spark's double answer"

// mayDivideDecimals is the cheap test before the plan is read.
func mayDivideDecimals(sql string) bool {
	return strings.Contains(sql, "spark_divisor(") || strings.Contains(strings.ToLower(sql), "avg(")
}

// decimalRefusal refuses sql when its plan divides or averages decimals;
// a statement DuckDB cannot plan here is left to run (and fail) as it is.
func decimalRefusal(ctx context.Context, ss *session, sql string) error {
	if !mayDivideDecimals(sql) {
		return nil
	}
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_plan(?::VARCHAR)::VARCHAR", sql).Scan(&doc); err != nil {
		return nil
	}
	var tree any
	if json.Unmarshal([]byte(doc), &tree) != nil || !dividesDecimals(tree) {
		return nil
	}
	return unsupported(decimalRefusalText)
}

// dividesDecimals walks a plan for a user division with a decimal operand
// and no floating one, or an avg of a decimal.
func dividesDecimals(x any) bool {
	switch v := x.(type) {
	case []any:
		for _, e := range v {
			if dividesDecimals(e) {
				return true
			}
		}
	case map[string]any:
		switch {
		case v["expression_class"] == "BOUND_FUNCTION" && v["name"] == "/":
			if kids, _ := v["children"].([]any); len(kids) == 2 && isSparkDivisor(uncast(kids[1])) {
				a, b := typeID(uncast(kids[0])), typeID(uncast(kids[1]))
				if (a == "DECIMAL" || b == "DECIMAL") && a != "DOUBLE" && a != "FLOAT" && b != "DOUBLE" && b != "FLOAT" {
					return true
				}
			}
		case (v["expression_class"] == "BOUND_AGGREGATE" || v["expression_class"] == "BOUND_WINDOW") && v["name"] == "avg":
			if args, _ := v["arguments"].([]any); len(args) == 1 && typeIDOf(args[0]) == "DECIMAL" {
				return true
			}
		}
		for _, e := range v {
			if dividesDecimals(e) {
				return true
			}
		}
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

// isSparkDivisor: spark_divisor's expansion is a CASE.
func isSparkDivisor(x any) bool {
	m, ok := x.(map[string]any)
	return ok && m["expression_class"] == "BOUND_CASE"
}

// typeID is an expression's type id (a constant's is its value's).
func typeID(x any) string {
	m, _ := x.(map[string]any)
	if rt, ok := m["return_type"]; ok {
		return typeIDOf(rt)
	}
	if val, ok := m["value"].(map[string]any); ok {
		return typeIDOf(val["type"])
	}
	return ""
}

func typeIDOf(t any) string {
	m, _ := t.(map[string]any)
	id, _ := m["id"].(string)
	return id
}
