package duckdb

import (
	"slices"
	"strings"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// sparkType is one of Spark's type names and what it is on the local
// engine: the one table behind parameter types, function-style casts and
// GetTypeInfo.
type sparkType struct {
	name    string   // Spark's name
	aliases []string // other names Databricks clients send as parameter types
	duck    string   // the DuckDB type ("": not a parameter type)
	id      tcli.TTypeId
	prec    any  // GetTypeInfo's PRECISION (nil: none)
	cast    bool // a function-style cast: int(x), string(x), …
	listed  bool // GetTypeInfo lists it
}

func sparkTypes() []sparkType {
	return []sparkType{
		{name: "BOOLEAN", duck: "BOOLEAN", id: tcli.TTypeId_BOOLEAN_TYPE, cast: true, listed: true},
		{name: "TINYINT", aliases: []string{"BYTE"}, duck: "TINYINT", id: tcli.TTypeId_TINYINT_TYPE, prec: int32(3), cast: true, listed: true},
		{name: "SMALLINT", aliases: []string{"SHORT"}, duck: "SMALLINT", id: tcli.TTypeId_SMALLINT_TYPE, prec: int32(5), cast: true, listed: true},
		{name: "INT", aliases: []string{"INTEGER"}, duck: "INTEGER", id: tcli.TTypeId_INT_TYPE, prec: int32(10), cast: true, listed: true},
		{name: "BIGINT", aliases: []string{"LONG"}, duck: "BIGINT", id: tcli.TTypeId_BIGINT_TYPE, prec: int32(19), cast: true, listed: true},
		{name: "FLOAT", aliases: []string{"REAL"}, duck: "FLOAT", id: tcli.TTypeId_FLOAT_TYPE, prec: int32(7), cast: true, listed: true},
		{name: "DOUBLE", duck: "DOUBLE", id: tcli.TTypeId_DOUBLE_TYPE, prec: int32(15), cast: true, listed: true},
		{name: "DECIMAL", duck: "DECIMAL(10,0)", id: tcli.TTypeId_DECIMAL_TYPE, prec: int32(38), listed: true},
		{name: "STRING", aliases: []string{"VARCHAR", "CHAR"}, duck: "VARCHAR", id: tcli.TTypeId_STRING_TYPE, cast: true, listed: true},
		{name: "DATE", duck: "DATE", id: tcli.TTypeId_DATE_TYPE, listed: true},
		{name: "TIMESTAMP", aliases: []string{"TIMESTAMP_LTZ"}, duck: "TIMESTAMPTZ", id: tcli.TTypeId_TIMESTAMP_TYPE, listed: true},
		{name: "TIMESTAMP_NTZ", duck: "TIMESTAMP", id: tcli.TTypeId_TIMESTAMP_TYPE},
		{name: "BINARY", duck: "BLOB", id: tcli.TTypeId_BINARY_TYPE, cast: true, listed: true},
		{name: "ARRAY", id: tcli.TTypeId_ARRAY_TYPE, listed: true},
		{name: "MAP", id: tcli.TTypeId_MAP_TYPE, listed: true},
		{name: "STRUCT", id: tcli.TTypeId_STRUCT_TYPE, listed: true},
		{name: "INTERVAL", duck: "INTERVAL", id: tcli.TTypeId_INTERVAL_DAY_TIME_TYPE, listed: true},
	}
}

// paramType is the DuckDB type of a parameter type a client sent (upper
// case), if it is one.
func paramType(name string) (string, bool) {
	for _, t := range sparkTypes() {
		if t.duck != "" && (t.name == name || slices.Contains(t.aliases, name)) {
			return t.duck, true
		}
	}
	return "", false
}

// castType is the DuckDB type of Spark's function-style cast name, or "".
func castType(fn string) string {
	for _, t := range sparkTypes() {
		if t.cast && strings.EqualFold(t.name, fn) {
			return t.duck
		}
	}
	return ""
}
