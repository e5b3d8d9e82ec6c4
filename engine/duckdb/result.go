package duckdb

import (
	"database/sql"
	"math"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// column buffers one result column in the storage its TColumn uses.
type column struct {
	name  string
	typ   colType
	nulls []bool
	bools []bool
	i8    []int8
	i16   []int16
	i32   []int32
	i64   []int64
	f64   []float64
	strs  []string
	bins  [][]byte
}

// resultSet is a fully buffered result: FETCH_FIRST restarts from row 0.
// A result a client reads as Arrow keeps DuckDB's batches in at instead of
// columns.
type resultSet struct {
	cols []*column
	rows int
	pos  int
	at   arrowTable
}

func arrowResultSet(at arrowTable) *resultSet { return &resultSet{at: at} }

func (rs *resultSet) release() {
	if rs.at != nil {
		rs.at.release()
	}
}

func newResultSet(names []string, types []colType) *resultSet {
	rs := &resultSet{}
	for i := range names {
		rs.cols = append(rs.cols, &column{name: names[i], typ: types[i]})
	}
	return rs
}

// appendRow adds one row of values as database/sql scanned them.
func (rs *resultSet) appendRow(vals []any) {
	for i, c := range rs.cols {
		c.append(vals[i])
	}
	rs.rows++
}

func (c *column) append(v any) {
	null := v == nil
	c.nulls = append(c.nulls, null)
	switch c.typ.st {
	case stBool:
		b, _ := v.(bool)
		c.bools = append(c.bools, b)
	case stByte:
		c.i8 = append(c.i8, int8(toInt64(v)))
	case stI16:
		c.i16 = append(c.i16, int16(toInt64(v)))
	case stI32:
		c.i32 = append(c.i32, int32(toInt64(v)))
	case stI64:
		c.i64 = append(c.i64, toInt64(v))
	case stDouble:
		c.f64 = append(c.f64, toFloat64(v))
	case stBinary:
		b, _ := v.([]byte)
		c.bins = append(c.bins, b)
	default:
		s := ""
		if !null {
			s = formatString(c.typ, v)
		}
		c.strs = append(c.strs, s)
	}
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func toFloat64(v any) float64 {
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	case nil:
		return 0
	}
	return float64(toInt64(v))
}

// resultCap bounds what the engine buffers for one statement; 0 fields
// mean no bound. Past it the statement fails with SQLSTATE 54000 naming
// the key to change, and nothing else in the engine is affected.
type resultCap struct{ rows, bytes int64 }

// check refuses a result that has reached rows rows and bytes bytes.
func (c resultCap) check(rows, bytes int64) error {
	if c.rows > 0 && rows > c.rows {
		return status.Errorf(stateLimitExceeded, 0, "result has more than %d rows (kitsune.operation.result.max.rows): add a LIMIT or raise the limit", c.rows)
	}
	if c.bytes > 0 && bytes > c.bytes {
		return status.Errorf(stateLimitExceeded, 0, "result is larger than %d bytes (kitsune.operation.result.max.bytes): add a LIMIT, select fewer or narrower columns, or raise the limit", c.bytes)
	}
	return nil
}

// stateLimitExceeded is SQL's "program limit exceeded".
const stateLimitExceeded = "54000"

// scanAll reads every row of rows into a new resultSet, within cap. limit
// > 0 keeps only the first limit rows (a client's resultRowLimit), without
// error.
func scanAll(rows *sql.Rows, within resultCap, limit int64) (*resultSet, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cts))
	types := make([]colType, len(cts))
	for i, ct := range cts {
		names[i] = ct.Name()
		types[i] = typeOf(ct.DatabaseTypeName())
	}
	rs := newResultSet(names, types)
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var size int64
	for rows.Next() {
		if limit > 0 && int64(rs.rows) >= limit {
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rs.appendRow(vals)
		for _, c := range rs.cols {
			size += c.size(rs.rows - 1)
		}
		if err := within.check(int64(rs.rows), size); err != nil {
			return nil, err
		}
	}
	return rs, rows.Err()
}

// schema is the TTableSchema of the result.
func (rs *resultSet) schema() *tcli.TTableSchema {
	if rs.at != nil {
		return rs.at.schema()
	}
	s := &tcli.TTableSchema{}
	for i, c := range rs.cols {
		s.Columns = append(s.Columns, &tcli.TColumnDesc{ColumnName: c.name, TypeDesc: c.typ.typeDesc(), Position: int32(i + 1)})
	}
	return s
}

// fetch returns up to n rows from the cursor (FETCH_FIRST rewinds first) in
// columnar form (V6+) or row form; maxBytes > 0 also bounds the page's
// size (at least one row is returned). startRowOffset is the offset of the
// page's first row.
func (rs *resultSet) fetch(n, maxBytes int64, first, columnar bool) *tcli.TRowSet {
	if first {
		rs.pos = 0
	}
	if n <= 0 {
		n = 1000
	}
	start := rs.pos
	end := min(rs.rows, start+int(min(n, math.MaxInt32)))
	if maxBytes > 0 {
		end = rs.bytesBound(start, end, maxBytes)
	}
	rs.pos = end
	set := &tcli.TRowSet{StartRowOffset: int64(start), Rows: []*tcli.TRow{}}
	if columnar {
		for _, c := range rs.cols {
			set.Columns = append(set.Columns, c.slice(start, end))
		}
		return set
	}
	for r := start; r < end; r++ {
		row := &tcli.TRow{}
		for _, c := range rs.cols {
			row.ColVals = append(row.ColVals, c.value(r))
		}
		set.Rows = append(set.Rows, row)
	}
	return set
}

func (rs *resultSet) hasMore() bool {
	if rs.at != nil {
		return rs.at.hasMore()
	}
	return rs.pos < rs.rows
}

// bytesBound is the end of the longest run of rows from start whose
// encoded size stays within maxBytes (at least one row).
func (rs *resultSet) bytesBound(start, end int, maxBytes int64) int {
	var size int64
	for r := start; r < end; r++ {
		for _, c := range rs.cols {
			size += c.size(r)
		}
		if size > maxBytes && r > start {
			return r
		}
	}
	return end
}

// size is the bytes row r of c takes on the wire, roughly.
func (c *column) size(r int) int64 {
	switch c.typ.st {
	case stBool, stByte:
		return 1
	case stI16:
		return 2
	case stI32:
		return 4
	case stI64, stDouble:
		return 8
	case stBinary:
		return int64(len(c.bins[r])) + 4
	}
	return int64(len(c.strs[r])) + 4
}

func nullBitmap(nulls []bool) []byte {
	out := make([]byte, (len(nulls)+7)/8)
	for i, n := range nulls {
		if n {
			out[i/8] |= 1 << (i % 8)
		}
	}
	return out
}

func (c *column) slice(a, b int) *tcli.TColumn {
	nb := nullBitmap(c.nulls[a:b])
	switch c.typ.st {
	case stBool:
		return &tcli.TColumn{BoolVal: &tcli.TBoolColumn{Values: c.bools[a:b], Nulls: nb}}
	case stByte:
		return &tcli.TColumn{ByteVal: &tcli.TByteColumn{Values: c.i8[a:b], Nulls: nb}}
	case stI16:
		return &tcli.TColumn{I16Val: &tcli.TI16Column{Values: c.i16[a:b], Nulls: nb}}
	case stI32:
		return &tcli.TColumn{I32Val: &tcli.TI32Column{Values: c.i32[a:b], Nulls: nb}}
	case stI64:
		return &tcli.TColumn{I64Val: &tcli.TI64Column{Values: c.i64[a:b], Nulls: nb}}
	case stDouble:
		return &tcli.TColumn{DoubleVal: &tcli.TDoubleColumn{Values: c.f64[a:b], Nulls: nb}}
	case stBinary:
		return &tcli.TColumn{BinaryVal: &tcli.TBinaryColumn{Values: c.bins[a:b], Nulls: nb}}
	}
	return &tcli.TColumn{StringVal: &tcli.TStringColumn{Values: c.strs[a:b], Nulls: nb}}
}

// value is row r as a TColumnValue (row-based results, V1–V5).
func (c *column) value(r int) *tcli.TColumnValue {
	null := c.nulls[r]
	switch c.typ.st {
	case stBool:
		v := &tcli.TBoolValue{}
		if !null {
			v.Value = &c.bools[r]
		}
		return &tcli.TColumnValue{BoolVal: v}
	case stByte:
		v := &tcli.TByteValue{}
		if !null {
			v.Value = &c.i8[r]
		}
		return &tcli.TColumnValue{ByteVal: v}
	case stI16:
		v := &tcli.TI16Value{}
		if !null {
			v.Value = &c.i16[r]
		}
		return &tcli.TColumnValue{I16Val: v}
	case stI32:
		v := &tcli.TI32Value{}
		if !null {
			v.Value = &c.i32[r]
		}
		return &tcli.TColumnValue{I32Val: v}
	case stI64:
		v := &tcli.TI64Value{}
		if !null {
			v.Value = &c.i64[r]
		}
		return &tcli.TColumnValue{I64Val: v}
	case stDouble:
		v := &tcli.TDoubleValue{}
		if !null {
			v.Value = &c.f64[r]
		}
		return &tcli.TColumnValue{DoubleVal: v}
	case stBinary:
		v := &tcli.TStringValue{}
		if !null {
			s := string(c.bins[r])
			v.Value = &s
		}
		return &tcli.TColumnValue{StringVal: v}
	}
	v := &tcli.TStringValue{}
	if !null {
		v.Value = &c.strs[r]
	}
	return &tcli.TColumnValue{StringVal: v}
}

// stringTable builds a result of STRING columns (SET, SHOW, metadata).
func stringTable(names []string, rows [][]string) *resultSet {
	types := make([]colType, len(names))
	for i := range types {
		types[i] = typeOf("VARCHAR")
	}
	rs := newResultSet(names, types)
	vals := make([]any, len(names))
	for _, r := range rows {
		for i := range vals {
			vals[i] = r[i]
		}
		rs.appendRow(vals)
	}
	return rs
}
