package duckdb

import (
	"database/sql/driver"
	"fmt"
	"math/bits"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's bitmaps are binaries of 4096 bytes (32768 bits): position p is
// bit p%8 of byte p/8.
const bitmapBytes = 4096

func bitmapConstruct(v []driver.Value) (any, error) {
	out := make([]byte, bitmapBytes)
	xs, _ := v[0].([]any)
	for _, x := range xs {
		p, ok := x.(int64)
		if !ok {
			continue
		}
		if p < 0 || p >= bitmapBytes*8 {
			return nil, fmt.Errorf("INVALID_BITMAP_POSITION: the bit position %d is out of bounds 0…%d; bitmap_bit_position gives one", p, bitmapBytes*8-1)
		}
		out[p/8] |= 1 << (p % 8)
	}
	return out, nil
}

// bitmapMerge is bitmap_or_agg (or) or bitmap_and_agg (and); a shorter
// bitmap counts as zeros after its end.
func bitmapMerge(v []driver.Value) (any, error) {
	and, _ := v[1].(bool)
	out := make([]byte, bitmapBytes)
	if and {
		for i := range out {
			out[i] = 0xFF
		}
	}
	xs, _ := v[0].([]any)
	for _, x := range xs {
		b, ok := x.([]byte)
		if !ok {
			continue
		}
		for i := range out {
			var c byte
			if i < len(b) {
				c = b[i]
			}
			if and {
				out[i] &= c
			} else {
				out[i] |= c
			}
		}
	}
	return out, nil
}

func bitmapFunctions(d *duckTypes) map[string][]*goFunction {
	blob := d.of(duckdb.TYPE_BLOB)
	return map[string][]*goFunction{
		"bitmap_count": {{in: []duckdb.TypeInfo{blob}, out: d.of(duckdb.TYPE_BIGINT), fn: func(v []driver.Value) (any, error) {
			n := 0
			for _, c := range v[0].([]byte) {
				n += bits.OnesCount8(c)
			}
			return int64(n), nil
		}}},
		"bitmap_construct": {{in: []duckdb.TypeInfo{d.list(d.of(duckdb.TYPE_BIGINT))}, out: blob, fn: bitmapConstruct}},
		"bitmap_merge":     {{in: []duckdb.TypeInfo{d.list(blob), d.of(duckdb.TYPE_BOOLEAN)}, out: blob, fn: bitmapMerge}},
	}
}
