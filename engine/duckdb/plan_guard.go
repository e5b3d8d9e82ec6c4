package duckdb

import (
	"context"
	"encoding/json"
	"regexp"
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

// The same plan shows a CAST of a struct or a map to a string, which Spark
// writes as {1, x} and {a -> 1} and DuckDB as {'a': 1, 'b': x} and
// {a=1}: such a cast is refused too.
const nestedCastRefusalText = "a CAST of a struct or a map to a string is not supported on the local engine: " +
	"Spark writes {1, x} and {a -> 1}, DuckDB {'a': 1, 'b': x} and {a=1}; to_json gives JSON text"

// castsToString finds a cast to a string in the statement's text.
var castsToString = regexp.MustCompile(`(?i)\bAS\s+(STRING|VARCHAR|TEXT)\b|::\s*(STRING|VARCHAR|TEXT)\b`)

// needsPlanGuard is the cheap test before the plan is read: a division,
// an avg or a cast to a string in the statement's text.
func needsPlanGuard(sql string) bool {
	return strings.Contains(sql, "spark_divisor(") || strings.Contains(strings.ToLower(sql), "avg(") || castsToString.MatchString(sql)
}

// decimalRefusal refuses sql when its plan divides or averages decimals;
// a statement DuckDB cannot plan here is left to run (and fail) as it is.
func planRefusal(ctx context.Context, ss *session, sql string) error {
	if !needsPlanGuard(sql) {
		return nil
	}
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_plan(?::VARCHAR)::VARCHAR", sql).Scan(&doc); err != nil {
		return nil
	}
	var tree any
	if json.Unmarshal([]byte(doc), &tree) != nil {
		return nil
	}
	switch {
	case dividesDecimals(tree):
		return unsupported(decimalRefusalText)
	case castsNestedToString(tree):
		return unsupported(nestedCastRefusalText)
	}
	return nil
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
