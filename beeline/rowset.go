package beeline

import (
	"encoding/base64"
	"strconv"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// rows turns a TRowSet (columnar or row-based) into printable rows; nil
// marks SQL NULL.
func rows(rs *tcli.TRowSet) [][]*string {
	if rs == nil {
		return nil
	}
	if len(rs.Columns) == 0 {
		out := make([][]*string, len(rs.Rows))
		for i, r := range rs.Rows {
			out[i] = make([]*string, len(r.ColVals))
			for j, v := range r.ColVals {
				out[i][j] = valueText(v)
			}
		}
		return out
	}
	n := client.ColumnLen(rs.Columns[0])
	out := make([][]*string, n)
	for i := range out {
		out[i] = make([]*string, len(rs.Columns))
	}
	for j, c := range rs.Columns {
		for i := 0; i < n; i++ {
			out[i][j] = cell(c, i)
		}
	}
	return out
}

func isNull(nulls []byte, i int) bool {
	return i/8 < len(nulls) && nulls[i/8]&(1<<(i%8)) != 0
}

func cell(c *tcli.TColumn, i int) *string {
	var s string
	switch {
	case c.BoolVal != nil:
		if isNull(c.BoolVal.Nulls, i) {
			return nil
		}
		s = strconv.FormatBool(c.BoolVal.Values[i])
	case c.ByteVal != nil:
		if isNull(c.ByteVal.Nulls, i) {
			return nil
		}
		s = strconv.Itoa(int(c.ByteVal.Values[i]))
	case c.I16Val != nil:
		if isNull(c.I16Val.Nulls, i) {
			return nil
		}
		s = strconv.Itoa(int(c.I16Val.Values[i]))
	case c.I32Val != nil:
		if isNull(c.I32Val.Nulls, i) {
			return nil
		}
		s = strconv.Itoa(int(c.I32Val.Values[i]))
	case c.I64Val != nil:
		if isNull(c.I64Val.Nulls, i) {
			return nil
		}
		s = strconv.FormatInt(c.I64Val.Values[i], 10)
	case c.DoubleVal != nil:
		if isNull(c.DoubleVal.Nulls, i) {
			return nil
		}
		s = strconv.FormatFloat(c.DoubleVal.Values[i], 'g', -1, 64)
	case c.StringVal != nil:
		if isNull(c.StringVal.Nulls, i) {
			return nil
		}
		s = c.StringVal.Values[i]
	case c.BinaryVal != nil:
		if isNull(c.BinaryVal.Nulls, i) {
			return nil
		}
		s = base64.StdEncoding.EncodeToString(c.BinaryVal.Values[i])
	}
	return &s
}

func valueText(v *tcli.TColumnValue) *string {
	var s string
	switch {
	case v.BoolVal != nil && v.BoolVal.Value != nil:
		s = strconv.FormatBool(*v.BoolVal.Value)
	case v.ByteVal != nil && v.ByteVal.Value != nil:
		s = strconv.Itoa(int(*v.ByteVal.Value))
	case v.I16Val != nil && v.I16Val.Value != nil:
		s = strconv.Itoa(int(*v.I16Val.Value))
	case v.I32Val != nil && v.I32Val.Value != nil:
		s = strconv.Itoa(int(*v.I32Val.Value))
	case v.I64Val != nil && v.I64Val.Value != nil:
		s = strconv.FormatInt(*v.I64Val.Value, 10)
	case v.DoubleVal != nil && v.DoubleVal.Value != nil:
		s = strconv.FormatFloat(*v.DoubleVal.Value, 'g', -1, 64)
	case v.StringVal != nil && v.StringVal.Value != nil:
		s = *v.StringVal.Value
	default:
		return nil
	}
	return &s
}
