package duckdb

import (
	"regexp"
	"strings"
)

// variantCast maps the Spark type names variant_get takes to DuckDB's.
func variantCast(spark string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(spark))
	if m := regexp.MustCompile(`^decimal\((\d+),\s*(\d+)\)$`).FindStringSubmatch(t); m != nil {
		return "DECIMAL(" + m[1] + "," + m[2] + ")", true
	}
	casts := map[string]string{
		"int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT", "long": "BIGINT", "smallint": "SMALLINT", "short": "SMALLINT",
		"tinyint": "TINYINT", "byte": "TINYINT", "double": "DOUBLE", "float": "FLOAT", "real": "FLOAT", "boolean": "BOOLEAN",
		"string": "VARCHAR", "date": "DATE",
	}
	d, ok := casts[t]
	return d, ok
}

// ruleVariantGet: variant_get(v, path[, type]) and try_variant_get read
// the variant's JSON text; without a type the answer is a variant.
func ruleVariantGet(c *exprCursor) bool {
	if !c.call() || !c.t.is("variant_get", "try_variant_get") {
		return false
	}
	try := c.t.is("try_variant_get")
	args, end := splitArgs(c.toks, c.n)
	switch len(args) {
	case 2:
		return c.emit(tkPunct, "CAST(json_extract("+args[0]+", "+args[1]+") AS VARCHAR)", end)
	case 3:
		lit, ok := unquoteSQL(args[2])
		cast, known := variantCast(lit)
		if !ok || !known {
			return false // refused by sparkRefusal
		}
		value := "json_extract_string(" + args[0] + ", " + args[1] + ")"
		if cast == "VARCHAR" {
			return c.emit(tkPunct, value, end)
		}
		if try {
			return c.emit(tkPunct, "TRY_CAST("+value+" AS "+cast+")", end)
		}
		return c.emit(tkPunct, "CAST("+value+" AS "+cast+")", end)
	}
	return false
}

// unquoteSQL reads a rendered SQL string literal.
func unquoteSQL(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
}

// ruleVariantExplode: variant_explode(v) and variant_explode_outer as
// tables of (pos, key, value); an object's keys in their sorted order,
// an array's key NULL; the outer form gives one row of NULLs where there
// are no elements.
func ruleVariantExplode(c *exprCursor) bool {
	if !c.call() || !c.t.is("variant_explode", "variant_explode_outer") || !c.prev.is("FROM", "JOIN", ",") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 1 {
		return false
	}
	v := "(" + namedArg(args[0]) + ")"
	rows := "SELECT CAST(row_number() OVER (ORDER BY e.id) - 1 AS INTEGER) AS pos, CASE WHEN json_type(" + v + ") = 'OBJECT' THEN e.key END AS key, " +
		"CAST(e.value AS VARCHAR) AS value FROM json_each(" + v + ") AS e WHERE json_type(" + v + ") IN ('OBJECT', 'ARRAY')"
	if c.t.is("variant_explode_outer") {
		rows += " UNION ALL SELECT CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR) WHERE CASE json_type(" + v + ") WHEN 'ARRAY' THEN json_array_length(" + v + ") = 0 WHEN 'OBJECT' THEN " + v + " = '{}' ELSE true END"
	}
	return c.emit(tkPunct, "(SELECT * FROM ("+rows+") ORDER BY pos)", end)
}

// ddlType reads a Spark schema string (from_json's second argument): a
// DDL field list "a INT, b DOUBLE" or a type "STRUCT<…>", "ARRAY<…>",
// "MAP<…>"; "" when it does not read it.
func ddlType(ddl string) string {
	d := strings.TrimSpace(ddl)
	u := strings.ToUpper(d)
	if !strings.HasPrefix(u, "STRUCT<") && !strings.HasPrefix(u, "ARRAY<") && !strings.HasPrefix(u, "MAP<") {
		var fields []string
		for _, f := range splitTop(d) {
			name, typ, ok := strings.Cut(strings.TrimSpace(f), " ")
			if !ok || strings.TrimSpace(typ) == "" {
				return ""
			}
			fields = append(fields, name+": "+strings.TrimSpace(typ))
		}
		d = "STRUCT<" + strings.Join(fields, ", ") + ">"
	}
	toks := lex(d)
	typ, end := parseType(toks, 0)
	if typ == "" || nextSig(toks, end+1) < len(toks) {
		return ""
	}
	return typ
}

// ruleFromJSON: from_json(j, 'schema') is DuckDB's cast of JSON to the
// schema's type (a document that does not fit answers NULL, as Spark's
// permissive mode does); options are refused (callRefusal).
func ruleFromJSON(c *exprCursor) bool {
	if !c.call() || !c.t.is("from_json") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 2 {
		return false
	}
	ddl, ok := unquoteSQL(args[1])
	typ := ddlType(ddl)
	if !ok || typ == "" {
		return false
	}
	return c.emit(tkPunct, "TRY_CAST(TRY_CAST("+args[0]+" AS JSON) AS "+typ+")", end)
}
