package client

import tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"

// ColumnLen is the number of values in a TColumn, whatever its type.
func ColumnLen(c *tcli.TColumn) int {
	switch {
	case c == nil:
		return 0
	case c.BoolVal != nil:
		return len(c.BoolVal.Values)
	case c.ByteVal != nil:
		return len(c.ByteVal.Values)
	case c.I16Val != nil:
		return len(c.I16Val.Values)
	case c.I32Val != nil:
		return len(c.I32Val.Values)
	case c.I64Val != nil:
		return len(c.I64Val.Values)
	case c.DoubleVal != nil:
		return len(c.DoubleVal.Values)
	case c.StringVal != nil:
		return len(c.StringVal.Values)
	case c.BinaryVal != nil:
		return len(c.BinaryVal.Values)
	}
	return 0
}

// RowCount is the number of rows in a TRowSet, columnar or row-based.
func RowCount(rs *tcli.TRowSet) int {
	if rs == nil {
		return 0
	}
	if len(rs.Columns) > 0 {
		return ColumnLen(rs.Columns[0])
	}
	return len(rs.Rows)
}
