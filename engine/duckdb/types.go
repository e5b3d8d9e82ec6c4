package duckdb

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// storage is how a column's values travel in a TColumn.
type storage int

const (
	stBool storage = iota
	stByte
	stI16
	stI32
	stI64
	stDouble
	stString
	stBinary
)

// colType is the HiveServer2 view of one result column.
type colType struct {
	id        tcli.TTypeId
	st        storage
	precision int32
	scale     int32
	hasQual   bool
	// sparkName is the type as Spark prints it (DESCRIBE, GetColumns).
	sparkName string
	// shape is a complex type's parts (a struct's field order).
	shape *duckShape
}

// typeOf maps a DuckDB type name (database/sql DatabaseTypeName) to its
// HiveServer2 type. Unsigned and huge integers widen; types HiveServer2 has
// no id for travel as strings.
func typeOf(duckName string) colType {
	n := strings.ToUpper(strings.TrimSpace(duckName))
	switch {
	case strings.HasSuffix(n, "]"):
		// First: a list of decimals or timestamps (DECIMAL(3,2)[]) is a
		// list, not the decimal its name starts with.
		return colType{id: tcli.TTypeId_ARRAY_TYPE, st: stString, sparkName: sparkComplexName(duckName), shape: shapeOf(duckName)}
	case n == "BOOLEAN":
		return colType{id: tcli.TTypeId_BOOLEAN_TYPE, st: stBool, sparkName: "boolean"}
	case n == "TINYINT":
		return colType{id: tcli.TTypeId_TINYINT_TYPE, st: stByte, sparkName: "tinyint"}
	case n == "SMALLINT" || n == "UTINYINT":
		return colType{id: tcli.TTypeId_SMALLINT_TYPE, st: stI16, sparkName: "smallint"}
	case n == "INTEGER" || n == "USMALLINT":
		return colType{id: tcli.TTypeId_INT_TYPE, st: stI32, sparkName: "int"}
	case n == "BIGINT" || n == "UINTEGER":
		return colType{id: tcli.TTypeId_BIGINT_TYPE, st: stI64, sparkName: "bigint"}
	case n == "UBIGINT" || n == "HUGEINT" || n == "UHUGEINT":
		return colType{id: tcli.TTypeId_DECIMAL_TYPE, st: stString, precision: 38, scale: 0, hasQual: true, sparkName: "decimal(38,0)"}
	case n == "FLOAT":
		return colType{id: tcli.TTypeId_FLOAT_TYPE, st: stDouble, sparkName: "float"}
	case n == "DOUBLE":
		return colType{id: tcli.TTypeId_DOUBLE_TYPE, st: stDouble, sparkName: "double"}
	case strings.HasPrefix(n, "DECIMAL"):
		p, s := int32(18), int32(3)
		if i := strings.IndexByte(n, '('); i > 0 {
			parts := strings.Split(strings.Trim(n[i:], "()"), ",")
			if len(parts) == 2 {
				pp, _ := strconv.Atoi(strings.TrimSpace(parts[0]))
				ss, _ := strconv.Atoi(strings.TrimSpace(parts[1]))
				p, s = int32(pp), int32(ss)
			}
		}
		return colType{id: tcli.TTypeId_DECIMAL_TYPE, st: stString, precision: p, scale: s, hasQual: true, sparkName: fmt.Sprintf("decimal(%d,%d)", p, s)}
	case n == "VARCHAR" || n == "JSON" || strings.HasPrefix(n, "ENUM") || n == "UUID" || n == "TIME" || n == "BIT" || n == "TIME WITH TIME ZONE" || n == "TIMETZ":
		return colType{id: tcli.TTypeId_STRING_TYPE, st: stString, sparkName: "string"}
	case n == "DATE":
		return colType{id: tcli.TTypeId_DATE_TYPE, st: stString, sparkName: "date"}
	case strings.HasPrefix(n, "TIMESTAMP"):
		return colType{id: tcli.TTypeId_TIMESTAMP_TYPE, st: stString, sparkName: "timestamp"}
	case n == "BLOB":
		return colType{id: tcli.TTypeId_BINARY_TYPE, st: stBinary, sparkName: "binary"}
	case n == "INTERVAL":
		return colType{id: tcli.TTypeId_INTERVAL_DAY_TIME_TYPE, st: stString, sparkName: "interval day to second"}
	case strings.HasPrefix(n, "LIST"):
		return colType{id: tcli.TTypeId_ARRAY_TYPE, st: stString, sparkName: sparkComplexName(duckName), shape: shapeOf(duckName)}
	case strings.HasPrefix(n, "STRUCT"):
		return colType{id: tcli.TTypeId_STRUCT_TYPE, st: stString, sparkName: sparkComplexName(duckName), shape: shapeOf(duckName)}
	case strings.HasPrefix(n, "MAP"):
		return colType{id: tcli.TTypeId_MAP_TYPE, st: stString, sparkName: sparkComplexName(duckName), shape: shapeOf(duckName)}
	case strings.HasPrefix(n, "UNION"):
		return colType{id: tcli.TTypeId_UNION_TYPE, st: stString, sparkName: "string"}
	case n == "NULL" || n == `"NULL"`:
		return colType{id: tcli.TTypeId_NULL_TYPE, st: stString, sparkName: "void"}
	}
	return colType{id: tcli.TTypeId_STRING_TYPE, st: stString, sparkName: "string"}
}

// sparkComplexName renders a DuckDB complex type the way Spark prints it:
// INTEGER[] → array<int>, MAP(VARCHAR, INTEGER) → map<string,int>,
// STRUCT("a" INTEGER) → struct<a:int>.
func sparkComplexName(duckName string) string {
	s := strings.TrimSpace(duckName)
	u := strings.ToUpper(s)
	switch {
	case strings.HasSuffix(s, "[]"):
		return "array<" + sparkTypeName(s[:len(s)-2]) + ">"
	case strings.HasPrefix(u, "MAP("):
		parts := splitTop(s[4 : len(s)-1])
		if len(parts) == 2 {
			return "map<" + sparkTypeName(parts[0]) + "," + sparkTypeName(parts[1]) + ">"
		}
	case strings.HasPrefix(u, "STRUCT("):
		var fields []string
		for _, f := range splitTop(s[7 : len(s)-1]) {
			name, typ := structField(strings.TrimSpace(f))
			fields = append(fields, name+":"+sparkTypeName(typ))
		}
		return "struct<" + strings.Join(fields, ",") + ">"
	}
	return strings.ToLower(s)
}

// sparkTypeName renders any DuckDB type name in Spark's spelling.
func sparkTypeName(duckName string) string {
	return typeOf(strings.TrimSpace(duckName)).sparkName
}

// splitTop splits s on commas not nested in parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// typeDesc builds the TTypeDesc of a column type.
func (t colType) typeDesc() *tcli.TTypeDesc {
	pe := &tcli.TPrimitiveTypeEntry{Type: t.id}
	if t.hasQual {
		p, s := t.precision, t.scale
		pe.TypeQualifiers = &tcli.TTypeQualifiers{Qualifiers: map[string]*tcli.TTypeQualifierValue{
			"precision": {I32Value: &p},
			"scale":     {I32Value: &s},
		}}
	}
	return &tcli.TTypeDesc{Types: []*tcli.TTypeEntry{{PrimitiveEntry: pe}}}
}

const (
	timestampLayout = "2006-01-02 15:04:05.999999"
	dateLayout      = "2006-01-02"
)

// formatString renders v, a value DuckDB returned for a column stored as a
// string, the way Spark's Thrift server shows it.
func formatString(t colType, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		switch t.id {
		case tcli.TTypeId_DATE_TYPE:
			return x.Format(dateLayout)
		case tcli.TTypeId_STRING_TYPE:
			return x.Format("15:04:05.999999")
		}
		return x.Format(timestampLayout)
	case duck.Decimal:
		return formatDecimal(x)
	case *big.Int:
		return x.String()
	case duck.Interval:
		return formatInterval(x)
	case []byte:
		if len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return string(x)
	}
	if t.id == tcli.TTypeId_ARRAY_TYPE || t.id == tcli.TTypeId_MAP_TYPE || t.id == tcli.TTypeId_STRUCT_TYPE || t.id == tcli.TTypeId_UNION_TYPE {
		var b strings.Builder
		nestedText(&b, jsonable(v, t.shape))
		return b.String()
	}
	return fmt.Sprint(v)
}

func formatDecimal(d duck.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Value).String()
	neg := d.Value.Sign() < 0
	if sc := int(d.Scale); sc > 0 {
		if len(s) <= sc {
			s = strings.Repeat("0", sc-len(s)+1) + s
		}
		s = s[:len(s)-sc] + "." + s[len(s)-sc:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// formatInterval renders an interval in Hive's day-time form
// ("D HH:MM:SS.fffffffff") when it has no months, else in Spark's calendar
// interval form ("1 years 2 months 3 days 04:05:06").
func formatInterval(iv duck.Interval) string {
	micros := iv.Micros
	sign := ""
	if micros < 0 {
		sign, micros = "-", -micros
	}
	h := micros / 3_600_000_000
	m := micros / 60_000_000 % 60
	s := micros / 1_000_000 % 60
	frac := micros % 1_000_000
	if iv.Months == 0 {
		return fmt.Sprintf("%d %s%02d:%02d:%02d.%09d", iv.Days, sign, h, m, s, frac*1000)
	}
	if iv.Days == 0 && iv.Micros == 0 {
		// A year-month interval, as Spark prints one: 1-2, -0-11.
		mo, neg := iv.Months, ""
		if mo < 0 {
			mo, neg = -mo, "-"
		}
		return fmt.Sprintf("%s%d-%d", neg, mo/12, mo%12)
	}
	var parts []string
	if y := iv.Months / 12; y != 0 {
		parts = append(parts, fmt.Sprintf("%d years", y))
	}
	if mo := iv.Months % 12; mo != 0 {
		parts = append(parts, fmt.Sprintf("%d months", mo))
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 {
		parts = append(parts, fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s))
	}
	return strings.Join(parts, " ")
}

// jsonable converts DuckDB's nested values into values encoding/json renders
// as Spark does: maps and structs as objects, times as strings.
// sh, the value's DuckDB type shape, gives a struct's field order (nil:
// fields sorted by name, the best a Go map allows).
func jsonable(v any, sh *duckShape) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = jsonable(x[i], sh.elemShape())
		}
		return out
	case map[string]any:
		if obj, ok := sh.structInOrder(x); ok {
			return obj
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e, nil)
		}
		return out
	case duck.OrderedMap:
		// Spark prints a map's keys as values: {1:"a"}, {"k":1}.
		keys := (&x).Keys()
		return orderedShapedJSON(len(keys), sh.keyShape(), sh.valShape(), func(i int) (any, any) {
			val, _ := (&x).Get(keys[i])
			return keys[i], val
		})
	case duck.Map:
		keys := make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		return orderedShapedJSON(len(keys), sh.keyShape(), sh.valShape(), func(i int) (any, any) { return keys[i], x[keys[i]] })
	case time.Time:
		// Spark prints dates, timestamps and intervals inside arrays, maps
		// and structs unquoted: [2018-01-01,2018-02-01].
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return nestedRaw(x.Format(dateLayout))
		}
		return nestedRaw(x.Format(timestampLayout))
	case duck.Decimal:
		return json.Number(formatDecimal(x))
	case float64:
		if sh != nil && sh.decimal {
			return json.Number(strconv.FormatFloat(x, 'f', sh.scale, 64))
		}
		return javaDouble(x)
	case float32:
		return javaFloat(x)
	case *big.Int:
		return json.Number(x.String())
	case duck.Interval:
		return nestedRaw(formatInterval(x))
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	return v
}

// nestedRaw is a nested value printed as it is, unquoted.
type nestedRaw string

// javaDouble and javaFloat are nested doubles and floats as Spark's
// Thrift server prints them, by Java's toString: [1.0E10,1.5].
type (
	javaDouble float64
	javaFloat  float32
)

// nestedObject is a map's or a struct's entries in their order.
type nestedObject []nestedEntry

type nestedEntry struct{ key, val any }

// orderedJSON collects n key/value pairs in their order.
func orderedJSON(n int, kv func(int) (any, any)) nestedObject {
	return orderedShapedJSON(n, nil, nil, kv)
}

// orderedShapedJSON is orderedJSON with the keys' and values' shapes.
func orderedShapedJSON(n int, keySh, valSh *duckShape, kv func(int) (any, any)) nestedObject {
	out := make(nestedObject, n)
	for k := 0; k < n; k++ {
		key, v := kv(k)
		out[k] = nestedEntry{key: jsonable(key, keySh), val: jsonable(v, valSh)}
	}
	return out
}

// nestedText renders a nested value as Spark's Thrift server prints one:
// [1,null,3], {1:"a"} (a map's keys as the values they are), {"a":1}
// (a struct's field names quoted), strings quoted.
func nestedText(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case nestedRaw:
		b.WriteString(string(x))
	case javaDouble:
		b.WriteString(javaNumber(float64(x), 64))
	case javaFloat:
		b.WriteString(javaNumber(float64(x), 32))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			nestedText(b, e)
		}
		b.WriteByte(']')
	case nestedObject:
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			nestedText(b, e.key)
			b.WriteByte(':')
			nestedText(b, e.val)
		}
		b.WriteByte('}')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		obj := make(nestedObject, len(keys))
		for i, k := range keys {
			obj[i] = nestedEntry{key: k, val: x[k]}
		}
		nestedText(b, obj)
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			j, _ := json.Marshal(x)
			b.Write(j)
		}
	default:
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			fmt.Fprint(b, x)
			return
		}
		b.Write(bytes.TrimRight(j.Bytes(), "\n"))
	}
}
