package rest

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// rows turns a columnar (or row-based) TRowSet into Kyuubi's rows: each
// value with the name of its TColumn kind, NULL as null.
func rows(rs *tcli.TRowSet) []Row {
	if rs == nil {
		return []Row{}
	}
	if len(rs.Columns) == 0 {
		return rowBased(rs.Rows)
	}
	var cols []column
	n := 0
	for _, c := range rs.Columns {
		col := columnOf(c)
		n = max(n, col.n)
		cols = append(cols, col)
	}
	out := make([]Row, 0, n)
	for i := 0; i < n; i++ {
		fields := make([]Field, len(cols))
		for j, c := range cols {
			fields[j] = Field{DataType: c.kind}
			if i < c.n && !isNull(c.nulls, i) {
				fields[j].Value = c.at(i)
			}
		}
		out = append(out, Row{Fields: fields})
	}
	return out
}

// column is one TColumn: its kind, length, null bitmap and values.
type column struct {
	kind  string
	n     int
	nulls []byte
	at    func(int) any
}

func columnOf(c *tcli.TColumn) column {
	switch {
	case c.BoolVal != nil:
		return column{"BOOL_VAL", len(c.BoolVal.Values), c.BoolVal.Nulls, func(i int) any { return c.BoolVal.Values[i] }}
	case c.ByteVal != nil:
		return column{"BYTE_VAL", len(c.ByteVal.Values), c.ByteVal.Nulls, func(i int) any { return c.ByteVal.Values[i] }}
	case c.I16Val != nil:
		return column{"I16_VAL", len(c.I16Val.Values), c.I16Val.Nulls, func(i int) any { return c.I16Val.Values[i] }}
	case c.I32Val != nil:
		return column{"I32_VAL", len(c.I32Val.Values), c.I32Val.Nulls, func(i int) any { return c.I32Val.Values[i] }}
	case c.I64Val != nil:
		return column{"I64_VAL", len(c.I64Val.Values), c.I64Val.Nulls, func(i int) any { return c.I64Val.Values[i] }}
	case c.DoubleVal != nil:
		return column{"DOUBLE_VAL", len(c.DoubleVal.Values), c.DoubleVal.Nulls, func(i int) any { return c.DoubleVal.Values[i] }}
	case c.StringVal != nil:
		return column{"STRING_VAL", len(c.StringVal.Values), c.StringVal.Nulls, func(i int) any { return c.StringVal.Values[i] }}
	case c.BinaryVal != nil:
		return column{"BINARY_VAL", len(c.BinaryVal.Values), c.BinaryVal.Nulls, func(i int) any { return base64.StdEncoding.EncodeToString(c.BinaryVal.Values[i]) }}
	}
	return column{kind: "STRING_VAL", at: func(int) any { return nil }}
}

// isNull reads HS2's null bitmap (bit i of byte i/8, least significant first).
func isNull(nulls []byte, i int) bool {
	return i/8 < len(nulls) && nulls[i/8]&(1<<(i%8)) != 0
}

func rowBased(in []*tcli.TRow) []Row {
	out := make([]Row, 0, len(in))
	for _, r := range in {
		fields := make([]Field, 0, len(r.ColVals))
		for _, v := range r.ColVals {
			fields = append(fields, valueOf(v))
		}
		out = append(out, Row{Fields: fields})
	}
	return out
}

func valueOf(v *tcli.TColumnValue) Field {
	switch {
	case v.BoolVal != nil:
		return Field{"BOOL_VAL", nilOr(v.BoolVal.Value != nil, func() any { return *v.BoolVal.Value })}
	case v.ByteVal != nil:
		return Field{"BYTE_VAL", nilOr(v.ByteVal.Value != nil, func() any { return *v.ByteVal.Value })}
	case v.I16Val != nil:
		return Field{"I16_VAL", nilOr(v.I16Val.Value != nil, func() any { return *v.I16Val.Value })}
	case v.I32Val != nil:
		return Field{"I32_VAL", nilOr(v.I32Val.Value != nil, func() any { return *v.I32Val.Value })}
	case v.I64Val != nil:
		return Field{"I64_VAL", nilOr(v.I64Val.Value != nil, func() any { return *v.I64Val.Value })}
	case v.DoubleVal != nil:
		return Field{"DOUBLE_VAL", nilOr(v.DoubleVal.Value != nil, func() any { return *v.DoubleVal.Value })}
	case v.StringVal != nil:
		return Field{"STRING_VAL", nilOr(v.StringVal.Value != nil, func() any { return *v.StringVal.Value })}
	}
	return Field{DataType: "STRING_VAL"}
}

func nilOr(set bool, v func() any) any {
	if !set {
		return nil
	}
	return v()
}

// columnDesc is a result column as Kyuubi describes it: the HS2 type
// name without _TYPE, and the decimal qualifiers.
func columnDesc(c *tcli.TColumnDesc) ColumnDesc {
	d := ColumnDesc{ColumnName: c.ColumnName, ColumnIndex: int(c.Position), Comment: c.GetComment()}
	if es := c.TypeDesc.GetTypes(); len(es) > 0 {
		if p := es[0].PrimitiveEntry; p != nil {
			d.DataType = strings.TrimSuffix(p.Type.String(), "_TYPE")
			if q := p.TypeQualifiers; q != nil {
				if v := q.Qualifiers["precision"]; v != nil && v.I32Value != nil {
					d.Precision = int(*v.I32Value)
				}
				if v := q.Qualifiers["scale"]; v != nil && v.I32Value != nil {
					d.Scale = int(*v.I32Value)
				}
			}
		} else {
			d.DataType = complexName(es[0])
		}
	}
	return d
}

func complexName(e *tcli.TTypeEntry) string {
	switch {
	case e.ArrayEntry != nil:
		return "ARRAY"
	case e.MapEntry != nil:
		return "MAP"
	case e.StructEntry != nil:
		return "STRUCT"
	case e.UnionEntry != nil:
		return "UNION"
	}
	return "USER_DEFINED"
}

// parseUUID reads an identifier back into the GUID.
func parseUUID(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) == 0 {
		return nil, badRequest("%q is not a handle identifier (a UUID such as 0b1e4c8e-2a4d-4f5e-9c1a-5d3e2f1a0b9c)", s)
	}
	return b, nil
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
