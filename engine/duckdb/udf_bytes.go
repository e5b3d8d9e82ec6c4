package duckdb

import (
	"bytes"
	"database/sql/driver"
	"math"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's string functions also take binaries and work on their bytes;
// DuckDB's do not bind to BLOB. The rewrite sends a call whose first
// argument is plainly a binary (X'…', unhex, encode, to_binary, …) here.

// byteSubstr is Spark's substring of a binary: pos counts from 1, a
// negative pos from the end, 0 is 1.
func byteSubstr(b []byte, pos, n int64) []byte {
	size := int64(len(b))
	start := int64(0)
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		start = size + pos
	}
	end := size
	if n < size-start {
		end = start + n
	}
	start = max(start, 0)
	if start >= end {
		return []byte{}
	}
	return append([]byte(nil), b[start:end]...)
}

// bytePad is Spark's lpad/rpad of a binary: the result has n bytes, the
// input cut or filled with pad repeated.
func bytePad(b []byte, n int64, pad []byte, left bool) []byte {
	if n <= 0 {
		return []byte{}
	}
	if n <= int64(len(b)) || len(pad) == 0 {
		return append([]byte(nil), b[:min(n, int64(len(b)))]...)
	}
	fill := make([]byte, 0, n-int64(len(b)))
	for int64(len(fill)) < n-int64(len(b)) {
		fill = append(fill, pad[:min(int64(len(pad)), n-int64(len(b))-int64(len(fill)))]...)
	}
	if left {
		return append(fill, b...)
	}
	return append(append([]byte(nil), b...), fill...)
}

func byteTrim(b, set []byte) []byte {
	return bytes.Trim(b, string(set))
}

func asInt(v driver.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	}
	return math.MaxInt32
}

func byteFunctions(d *duckTypes) map[string][]*goFunction {
	blob, boolean, big := d.of(duckdb.TYPE_BLOB), d.of(duckdb.TYPE_BOOLEAN), d.of(duckdb.TYPE_BIGINT)
	two := []duckdb.TypeInfo{blob, blob}
	test := func(f func(a, b []byte) bool) []*goFunction {
		return []*goFunction{{in: two, out: boolean, fn: func(v []driver.Value) (any, error) { return f(v[0].([]byte), v[1].([]byte)), nil }}}
	}
	pad := func(left bool) []*goFunction {
		return []*goFunction{
			{in: []duckdb.TypeInfo{blob, big}, out: blob, fn: func(v []driver.Value) (any, error) {
				return bytePad(v[0].([]byte), asInt(v[1]), []byte{0}, left), nil
			}},
			{in: []duckdb.TypeInfo{blob, big, blob}, out: blob, fn: func(v []driver.Value) (any, error) {
				return bytePad(v[0].([]byte), asInt(v[1]), v[2].([]byte), left), nil
			}},
		}
	}
	return map[string][]*goFunction{
		"bytes_contains":   test(bytes.Contains),
		"bytes_startswith": test(bytes.HasPrefix),
		"bytes_endswith":   test(bytes.HasSuffix),
		"bytes_trim": {
			{in: []duckdb.TypeInfo{blob}, out: blob, fn: func(v []driver.Value) (any, error) { return byteTrim(v[0].([]byte), []byte{' '}), nil }},
			{in: two, out: blob, fn: func(v []driver.Value) (any, error) { return byteTrim(v[0].([]byte), v[1].([]byte)), nil }},
		},
		"bytes_substr": {
			{in: []duckdb.TypeInfo{blob, big}, out: blob, fn: func(v []driver.Value) (any, error) {
				return byteSubstr(v[0].([]byte), asInt(v[1]), math.MaxInt32), nil
			}},
			{in: []duckdb.TypeInfo{blob, big, big}, out: blob, fn: func(v []driver.Value) (any, error) {
				return byteSubstr(v[0].([]byte), asInt(v[1]), asInt(v[2])), nil
			}},
		},
		"bytes_lpad": pad(true),
		"bytes_rpad": pad(false),
		"bytes_overlay": {
			{in: []duckdb.TypeInfo{blob, blob, big, big}, out: blob, fn: func(v []driver.Value) (any, error) {
				b, r, pos, n := v[0].([]byte), v[1].([]byte), asInt(v[2]), asInt(v[3])
				if n < 0 {
					n = int64(len(r))
				}
				out := append(byteSubstr(b, 1, pos-1), r...)
				return append(out, byteSubstr(b, pos+n, math.MaxInt32)...), nil
			}},
		},
	}
}
