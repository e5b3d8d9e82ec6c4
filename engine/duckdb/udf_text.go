package duckdb

import (
	"database/sql/driver"
	"fmt"
	"hash/crc32"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// soundexCodes is the American Soundex digit of each letter A…Z; 7 marks
// H and W, which Spark skips without ending a run of equal digits.
const soundexCodes = "01230127022455012623017202"

// soundex is Spark's: the first letter and three digits; a string that
// does not start with a letter is its own answer.
func soundex(s string) string {
	if s == "" || !isASCIILetter(s[0]) {
		return s
	}
	first := s[0] &^ 0x20
	out := []byte{first, '0', '0', '0'}
	n, last := 1, soundexCodes[first-'A']
	for i := 1; i < len(s) && n < 4; i++ {
		c := s[i]
		if !isASCIILetter(c) {
			continue
		}
		code := soundexCodes[(c&^0x20)-'A']
		if code == '7' {
			continue
		}
		if code != '0' && code != last {
			out[n] = code
			n++
		}
		last = code
	}
	return string(out)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// conv is Spark's conv: the digits of num in base from (up to the first
// one that is not), as a 64-bit two's complement value, written in base
// |to|, signed when to is negative. A base outside 2…36 answers NULL.
func conv(num string, from, to int64) (any, error) {
	if from < 2 || from > 36 || to < -36 || to > 36 || to > -2 && to < 2 {
		return nil, nil
	}
	num = strings.TrimSpace(num)
	neg := strings.HasPrefix(num, "-")
	num = strings.TrimPrefix(num, "-")
	var v uint64
	digits := 0
	for _, c := range strings.ToLower(num) {
		d := strings.IndexRune("0123456789abcdefghijklmnopqrstuvwxyz", c)
		if d < 0 || int64(d) >= from {
			break
		}
		hi, lo := bits.Mul64(v, uint64(from))
		if hi != 0 || lo+uint64(d) < lo {
			return nil, fmt.Errorf("ARITHMETIC_OVERFLOW: conv(%q, %d, %d) overflows 64 bits; use fewer digits", num, from, to)
		}
		v = lo + uint64(d)
		digits++
	}
	if digits == 0 {
		return nil, nil
	}
	if neg {
		v = -v
	}
	if to < 0 && int64(v) < 0 {
		return "-" + strings.ToUpper(strconv.FormatUint(-v, int(-to))), nil
	}
	return strings.ToUpper(strconv.FormatUint(v, int(max(to, -to)))), nil
}

// validUTF8 replaces each byte that does not begin a valid UTF-8 sequence
// with U+FFFD.
func validUTF8(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		sb.WriteRune(r)
		b = b[n:]
	}
	return sb.String()
}

// sentences is Spark's sentences(s) for text in a Latin script: sentences
// end at '.', '!' or '?'; each is the list of its words (letters, digits
// and apostrophes).
func sentences(s string) []any {
	var out []any
	var words []any
	var word strings.Builder
	flushWord := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'':
			word.WriteRune(r)
		case r == '.' || r == '!' || r == '?':
			flushWord()
			if len(words) > 0 {
				out = append(out, words)
				words = nil
			}
		default:
			flushWord()
		}
	}
	flushWord()
	if len(words) > 0 {
		out = append(out, words)
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func textFunctions(d *duckTypes) map[string][]*goFunction {
	str, anyT, big, integer := d.of(duckdb.TYPE_VARCHAR), d.of(duckdb.TYPE_ANY), d.of(duckdb.TYPE_BIGINT), d.of(duckdb.TYPE_INTEGER)
	return map[string][]*goFunction{
		"crc32": {{in: []duckdb.TypeInfo{anyT}, out: big, fn: func(v []driver.Value) (any, error) {
			return int64(crc32.ChecksumIEEE(asBytes(v[0]))), nil
		}}},
		"soundex": {{in: []duckdb.TypeInfo{str}, out: str, fn: func(v []driver.Value) (any, error) { return soundex(v[0].(string)), nil }}},
		"conv": {{in: []duckdb.TypeInfo{str, big, big}, out: str, fn: func(v []driver.Value) (any, error) {
			return conv(v[0].(string), asInt(v[1]), asInt(v[2]))
		}}},
		"make_valid_utf8": {{in: []duckdb.TypeInfo{anyT}, out: str, fn: func(v []driver.Value) (any, error) { return validUTF8(asBytes(v[0])), nil }}},
		"sentences": {{in: []duckdb.TypeInfo{str}, out: d.list(d.list(str)), fn: func(v []driver.Value) (any, error) {
			return sentences(v[0].(string)), nil
		}}},
		// split with a positive limit: at most n parts, the last one the rest.
		"split": {{in: []duckdb.TypeInfo{str, str, d.of(duckdb.TYPE_BIGINT)}, out: d.list(str), fn: func(v []driver.Value) (any, error) {
			re, err := regexp.Compile(v[1].(string))
			if err != nil {
				return nil, fmt.Errorf("INVALID_PARAMETER_VALUE.PATTERN: split cannot read the pattern %q: %w", v[1], err)
			}
			parts := re.Split(v[0].(string), int(asInt(v[2])))
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		}}},
		"shiftrightunsigned": {
			{in: []duckdb.TypeInfo{integer, integer}, out: integer, fn: func(v []driver.Value) (any, error) {
				return int32(uint32(v[0].(int32)) >> (uint32(v[1].(int32)) & 31)), nil
			}},
			{in: []duckdb.TypeInfo{big, integer}, out: big, fn: func(v []driver.Value) (any, error) {
				return int64(uint64(v[0].(int64)) >> (uint32(v[1].(int32)) & 63)), nil
			}},
		},
	}
}
