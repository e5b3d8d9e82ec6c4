package duckdb

import (
	"regexp"
	"strings"
)

// sparkSQLTypeName renders a DuckDB type as Spark's DataType.sql does —
// what Spark's Thrift server answers in GetColumns' TYPE_NAME: upper case,
// ARRAY<INT>, MAP<STRING, INT>, STRUCT<a: INT> (field names as written,
// backquoted when they are not plain identifiers). The Simba Spark driver
// drops GetColumns rows whose TYPE_NAME it cannot read (lower case ones).
func sparkSQLTypeName(duckName string) string {
	s := strings.TrimSpace(duckName)
	u := strings.ToUpper(s)
	switch {
	case strings.HasSuffix(s, "[]"):
		return "ARRAY<" + sparkSQLTypeName(s[:len(s)-2]) + ">"
	case strings.HasPrefix(u, "MAP("):
		if parts := splitTop(s[4 : len(s)-1]); len(parts) == 2 {
			return "MAP<" + sparkSQLTypeName(parts[0]) + ", " + sparkSQLTypeName(parts[1]) + ">"
		}
	case strings.HasPrefix(u, "STRUCT("):
		var fields []string
		for _, f := range splitTop(s[7 : len(s)-1]) {
			name, typ := structField(strings.TrimSpace(f))
			fields = append(fields, quoteIfNeeded(name)+": "+sparkSQLTypeName(typ))
		}
		return "STRUCT<" + strings.Join(fields, ", ") + ">"
	}
	return strings.ToUpper(typeOf(s).sparkName)
}

// structField splits a DuckDB struct field ("a" INTEGER, or a INTEGER).
func structField(f string) (name, typ string) {
	if strings.HasPrefix(f, `"`) {
		if j := strings.Index(f[1:], `"`); j >= 0 {
			return f[1 : j+1], f[j+2:]
		}
	}
	if j := strings.IndexByte(f, ' '); j > 0 {
		return f[:j], f[j+1:]
	}
	return f, ""
}

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// quoteIfNeeded backquotes a field name that is not a plain identifier,
// as Spark does.
func quoteIfNeeded(name string) string {
	if plainIdent.MatchString(name) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
