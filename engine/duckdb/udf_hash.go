package duckdb

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's hash (Murmur3 x86_32) and xxhash64 of typed values: seed 42,
// each argument hashed with the previous result as its seed, an array
// element by element, a NULL skipped. Spark hashes a string's trailing
// bytes one at a time (its hashUnsafeBytes), not as standard Murmur3 does.

const (
	murmurC1 = 0xcc9e2d51
	murmurC2 = 0x1b873593
)

func murmurK1(k uint32) uint32 { return bits.RotateLeft32(k*murmurC1, 15) * murmurC2 }

func murmurH1(h, k uint32) uint32 { return bits.RotateLeft32(h^k, 13)*5 + 0xe6546b64 }

func murmurFmix(h uint32, n int) uint32 {
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	return h ^ h>>16
}

// murmur is one value's Spark Murmur3 with seed.
type murmur struct{}

func (murmur) int32(v int32, seed uint64) uint64 {
	return uint64(murmurFmix(murmurH1(uint32(seed), murmurK1(uint32(v))), 4))
}

func (murmur) int64(v int64, seed uint64) uint64 {
	h := murmurH1(uint32(seed), murmurK1(uint32(v)))
	return uint64(murmurFmix(murmurH1(h, murmurK1(uint32(uint64(v)>>32))), 8))
}

func (murmur) bytes(b []byte, seed uint64) uint64 {
	h := uint32(seed)
	aligned := len(b) - len(b)%4
	for i := 0; i < aligned; i += 4 {
		h = murmurH1(h, murmurK1(binary.LittleEndian.Uint32(b[i:])))
	}
	for _, c := range b[aligned:] {
		h = murmurH1(h, murmurK1(uint32(int32(int8(c)))))
	}
	return uint64(murmurFmix(h, len(b)))
}

const (
	xxP1 uint64 = 0x9E3779B185EBCA87
	xxP2 uint64 = 0xC2B2AE3D27D4EB4F
	xxP3 uint64 = 0x165667B19E3779F9
	xxP4 uint64 = 0x85EBCA77C2B2AE63
	xxP5 uint64 = 0x27D4EB2F165667C5
)

func xxFmix(h uint64) uint64 {
	h ^= h >> 33
	h *= xxP2
	h ^= h >> 29
	h *= xxP3
	return h ^ h>>32
}

func xxRound(acc, v uint64) uint64 { return bits.RotateLeft64(acc+v*xxP2, 31) * xxP1 }

func xxMerge(h, acc uint64) uint64 { return (h^xxRound(0, acc))*xxP1 + xxP4 }

// xxhash is one value's Spark XXH64 with seed (standard XXH64 of its
// little-endian bytes).
type xxhash struct{}

func (x xxhash) int32(v int32, seed uint64) uint64 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return x.bytes(b[:], seed)
}

func (x xxhash) int64(v int64, seed uint64) uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	return x.bytes(b[:], seed)
}

func (xxhash) bytes(b []byte, seed uint64) uint64 {
	n := len(b)
	var h uint64
	if n >= 32 {
		v1, v2, v3, v4 := seed+xxP1+xxP2, seed+xxP2, seed, seed-xxP1
		for ; len(b) >= 32; b = b[32:] {
			v1 = xxRound(v1, binary.LittleEndian.Uint64(b))
			v2 = xxRound(v2, binary.LittleEndian.Uint64(b[8:]))
			v3 = xxRound(v3, binary.LittleEndian.Uint64(b[16:]))
			v4 = xxRound(v4, binary.LittleEndian.Uint64(b[24:]))
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = xxMerge(xxMerge(xxMerge(xxMerge(h, v1), v2), v3), v4)
	} else {
		h = seed + xxP5
	}
	h += uint64(n)
	for ; len(b) >= 8; b = b[8:] {
		h = bits.RotateLeft64(h^xxRound(0, binary.LittleEndian.Uint64(b)), 27)*xxP1 + xxP4
	}
	if len(b) >= 4 {
		h = bits.RotateLeft64(h^uint64(binary.LittleEndian.Uint32(b))*xxP1, 23)*xxP2 + xxP3
		b = b[4:]
	}
	for _, c := range b {
		h = bits.RotateLeft64(h^uint64(c)*xxP5, 11) * xxP1
	}
	return xxFmix(h)
}

// sparkHasher is Spark's hash of the three physical forms values take.
type sparkHasher interface {
	int32(v int32, seed uint64) uint64
	int64(v int64, seed uint64) uint64
	bytes(b []byte, seed uint64) uint64
}

// hashValue hashes one value by its Spark type; a type whose Spark form
// cannot be told from DuckDB's value (dates against timestamps, structs)
// is refused.
func hashValue(h sparkHasher, v any, seed uint64) (uint64, error) {
	switch x := v.(type) {
	case nil:
		return seed, nil
	case bool:
		if x {
			return h.int32(1, seed), nil
		}
		return h.int32(0, seed), nil
	case int8:
		return h.int32(int32(x), seed), nil
	case int16:
		return h.int32(int32(x), seed), nil
	case int32:
		return h.int32(x, seed), nil
	case int64:
		return h.int64(x, seed), nil
	case float32:
		if x == 0 {
			x = 0 // -0.0 hashes as 0.0
		}
		return h.int32(int32(math.Float32bits(x)), seed), nil
	case float64:
		if x == 0 {
			x = 0
		}
		return h.int64(int64(math.Float64bits(x)), seed), nil
	case duckdb.Decimal:
		if x.Width <= 18 && x.Value != nil && x.Value.IsInt64() {
			return h.int64(x.Value.Int64(), seed), nil // Spark hashes a decimal that fits a long by its unscaled value
		}
	case string:
		return h.bytes([]byte(x), seed), nil
	case []byte:
		return h.bytes(x, seed), nil
	case []any:
		for _, e := range x {
			var err error
			if seed, err = hashValue(h, e, seed); err != nil {
				return 0, err
			}
		}
		return seed, nil
	}
	return 0, fmt.Errorf("UNSUPPORTED_FEATURE: hashing a %T as Spark does is not supported on the local engine; hash numbers, strings, binaries and arrays of them", v)
}

func hashAll(h sparkHasher, v []driver.Value) (uint64, error) {
	seed := uint64(42)
	for _, x := range v {
		var err error
		if seed, err = hashValue(h, x, seed); err != nil {
			return 0, err
		}
	}
	return seed, nil
}

func hashFunctions(d *duckTypes) map[string][]*goFunction {
	anyT := d.of(duckdb.TYPE_ANY)
	return map[string][]*goFunction{
		"hash": {{in: []duckdb.TypeInfo{anyT}, variadic: anyT, nulls: true, out: d.of(duckdb.TYPE_INTEGER), fn: func(v []driver.Value) (any, error) {
			h, err := hashAll(murmur{}, v)
			return int32(uint32(h)), err
		}}},
		"xxhash64": {{in: []duckdb.TypeInfo{anyT}, variadic: anyT, nulls: true, out: d.of(duckdb.TYPE_BIGINT), fn: func(v []driver.Value) (any, error) {
			h, err := hashAll(xxhash{}, v)
			return int64(h), err
		}}},
	}
}
