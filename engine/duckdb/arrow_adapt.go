//go:build duckdb_arrow

package duckdb

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duck "github.com/duckdb/duckdb-go/v2"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// adapter turns DuckDB's Arrow batches into what a Spark server sends:
// Spark's types only (unsigned integers widen), and timestamps, decimals,
// complex values and intervals as strings unless the client reads them as
// native Arrow types (useArrowNativeTypes). Strings are the text the
// columnar results carry.
type adapter struct {
	schema *arrow.Schema
	cols   []colType
	conv   []func(arrow.Array) arrow.Array // nil keeps the column
}

func newAdapter(in *arrow.Schema, native tcli.TSparkArrowTypes) *adapter {
	a := &adapter{}
	fields := make([]arrow.Field, len(in.Fields()))
	for i, f := range in.Fields() {
		ct := typeOf(duckTypeName(f.Type))
		a.cols = append(a.cols, ct)
		out, conv := outputType(f.Type, ct, native)
		fields[i] = arrow.Field{Name: f.Name, Type: out, Nullable: true}
		a.conv = append(a.conv, conv)
	}
	a.schema = arrow.NewSchema(fields, nil)
	return a
}

// outputType is the Arrow type a column travels as, and the conversion
// that gets it there (nil: as DuckDB produced it).
func outputType(dt arrow.DataType, ct colType, native tcli.TSparkArrowTypes) (arrow.DataType, func(arrow.Array) arrow.Array) {
	asString := func(a arrow.Array) arrow.Array { return stringArray(a, ct) }
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.BINARY, arrow.DATE32:
		return dt, nil
	case arrow.LARGE_STRING:
		return arrow.BinaryTypes.String, asString
	case arrow.UINT8:
		return arrow.PrimitiveTypes.Int16, func(a arrow.Array) arrow.Array { return widen(a, arrow.PrimitiveTypes.Int16) }
	case arrow.UINT16:
		return arrow.PrimitiveTypes.Int32, func(a arrow.Array) arrow.Array { return widen(a, arrow.PrimitiveTypes.Int32) }
	case arrow.UINT32:
		return arrow.PrimitiveTypes.Int64, func(a arrow.Array) arrow.Array { return widen(a, arrow.PrimitiveTypes.Int64) }
	case arrow.DECIMAL128:
		if native.GetDecimalAsArrow() {
			return dt, nil
		}
	case arrow.TIMESTAMP:
		if native.GetTimestampAsArrow() {
			return dt, nil
		}
	case arrow.LIST, arrow.STRUCT, arrow.MAP:
		if native.GetComplexTypesAsArrow() && nativeSafe(dt) {
			return dt, nil
		}
	case arrow.NULL:
		if native.GetNullTypeAsArrow() {
			return dt, nil
		}
	}
	return arrow.BinaryTypes.String, asString
}

// nativeSafe reports whether a nested type holds only types that travel
// natively as DuckDB produced them.
func nativeSafe(dt arrow.DataType) bool {
	switch t := dt.(type) {
	case *arrow.ListType:
		return nativeSafe(t.Elem())
	case *arrow.MapType:
		return nativeSafe(t.KeyType()) && nativeSafe(t.ItemType())
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if !nativeSafe(f.Type) {
				return false
			}
		}
		return true
	}
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.BINARY, arrow.DATE32, arrow.DECIMAL128, arrow.TIMESTAMP:
		return true
	}
	return false
}

func (a *adapter) adapt(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	defer rec.Release()
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		if a.conv[i] == nil {
			cols[i] = rec.Column(i)
			cols[i].Retain()
			continue
		}
		cols[i] = a.conv[i](rec.Column(i))
	}
	out := array.NewRecordBatch(a.schema, cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func widen(a arrow.Array, to arrow.DataType) arrow.Array {
	b := array.NewBuilder(memory.DefaultAllocator, to)
	defer b.Release()
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		var v uint64
		switch x := a.(type) {
		case *array.Uint8:
			v = uint64(x.Value(i))
		case *array.Uint16:
			v = uint64(x.Value(i))
		case *array.Uint32:
			v = uint64(x.Value(i))
		}
		switch bb := b.(type) {
		case *array.Int16Builder:
			bb.Append(int16(v))
		case *array.Int32Builder:
			bb.Append(int32(v))
		case *array.Int64Builder:
			bb.Append(int64(v))
		}
	}
	return b.NewArray()
}

// stringArray renders every value of a as the columnar results do.
func stringArray(a arrow.Array, ct colType) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(formatString(ct, goValue(a, i)))
	}
	return b.NewArray()
}

// goValue is element i of a as duckdb-go's scanner hands it over (what
// formatString and jsonable render); structs and maps keep their order.
func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Timestamp:
		return x.Value(i).ToTime(x.DataType().(*arrow.TimestampType).Unit)
	case *array.Date32:
		return x.Value(i).ToTime()
	case *array.Decimal128:
		return duck.Decimal{Width: uint8(x.DataType().(*arrow.Decimal128Type).Precision), Scale: uint8(x.DataType().(*arrow.Decimal128Type).Scale), Value: x.Value(i).BigInt()}
	case *array.MonthDayNanoInterval:
		v := x.Value(i)
		return duck.Interval{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	case *array.Uint64:
		return x.Value(i)
	case *array.Binary:
		return x.Value(i)
	case *array.List:
		from, to := x.ValueOffsets(i)
		out := make([]any, 0, to-from)
		for j := from; j < to; j++ {
			out = append(out, goValue(x.ListValues(), int(j)))
		}
		return out
	case *array.Map:
		from, to := x.ValueOffsets(i)
		return orderedJSON(int(to-from), func(k int) (any, any) {
			return goValue(x.Keys(), int(from)+k), goValue(x.Items(), int(from)+k)
		})
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		return orderedJSON(x.NumField(), func(k int) (any, any) { return st.Field(k).Name, goValue(x.Field(k), i) })
	case *array.Time64:
		return x.Value(i).ToTime(x.DataType().(*arrow.Time64Type).Unit)
	}
	return a.GetOneForMarshal(i)
}

// duckTypeName names an Arrow type as DuckDB does, so that typeOf maps it
// as it maps the columnar path's types.
func duckTypeName(dt arrow.DataType) string {
	switch t := dt.(type) {
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case *arrow.ListType:
		return duckTypeName(t.Elem()) + "[]"
	case *arrow.MapType:
		return "MAP(" + duckTypeName(t.KeyType()) + ", " + duckTypeName(t.ItemType()) + ")"
	case *arrow.StructType:
		parts := make([]string, len(t.Fields()))
		for i, f := range t.Fields() {
			parts[i] = sqlIdent(f.Name) + " " + duckTypeName(f.Type)
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	}
	switch dt.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT8:
		return "UTINYINT"
	case arrow.UINT16:
		return "USMALLINT"
	case arrow.UINT32:
		return "UINTEGER"
	case arrow.UINT64:
		return "UBIGINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return "BLOB"
	case arrow.DATE32, arrow.DATE64:
		return "DATE"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	case arrow.TIME32, arrow.TIME64:
		return "TIME"
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return "INTERVAL"
	case arrow.NULL:
		return "NULL"
	}
	return "VARCHAR"
}
