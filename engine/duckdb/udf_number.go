package duckdb

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// decimalFormat is the part of Java's DecimalFormat that format_number
// uses: grouping, the least integer digits, the least and most fraction
// digits; rounding is half-even.
type decimalFormat struct {
	group            int // 0: no grouping
	minInt           int
	minFrac, maxFrac int
}

// formatPattern reads format_number's second argument: a count of
// decimals (the pattern #,###,…,##0.000…) or a pattern of # 0 , and .
func formatPattern(d string) (decimalFormat, bool, error) {
	if n, err := strconv.Atoi(d); err == nil {
		if n < 0 {
			return decimalFormat{}, false, nil
		}
		return decimalFormat{group: 3, minInt: 1, minFrac: n, maxFrac: n}, true, nil
	}
	if d == "" {
		return decimalFormat{group: 3, minInt: 1}, true, nil
	}
	if !regexp.MustCompile(`^[#0,]*(\.[#0]*)?$`).MatchString(d) {
		return decimalFormat{}, false, fmt.Errorf("UNSUPPORTED_FEATURE: format_number pattern %q is not supported on the local engine: use digits (#, 0), grouping (,) and a decimal point", d)
	}
	whole, frac, _ := strings.Cut(d, ".")
	f := decimalFormat{minInt: strings.Count(whole, "0"), maxFrac: len(frac), minFrac: strings.Count(frac, "0")}
	if i := strings.LastIndex(whole, ","); i >= 0 {
		f.group = len(whole) - i - 1
	}
	return f, true, nil
}

// exactValue is the number as Java formats it: a double or float by its
// exact binary value, a decimal by its digits.
func exactValue(text, typ string) (*big.Rat, bool) {
	switch typ {
	case "DOUBLE", "FLOAT":
		bits := 64
		if typ == "FLOAT" {
			bits = 32
		}
		f, err := strconv.ParseFloat(text, bits)
		if err != nil {
			return nil, false
		}
		r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
		if bits == 64 || !ok {
			r = new(big.Rat)
			if r.SetFloat64(f) == nil {
				return nil, false
			}
		}
		return r, true
	}
	return new(big.Rat).SetString(text)
}

// format writes v rounded half-even to maxFrac digits.
func (f decimalFormat) format(v *big.Rat) string {
	neg := v.Sign() < 0
	v = new(big.Rat).Abs(v)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(f.maxFrac)), nil)
	scaled := new(big.Rat).Mul(v, new(big.Rat).SetInt(scale))
	q, r := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	switch new(big.Int).Mul(r, big.NewInt(2)).Cmp(scaled.Denom()) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	digits := q.String()
	if len(digits) <= f.maxFrac {
		digits = strings.Repeat("0", f.maxFrac-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-f.maxFrac], digits[len(digits)-f.maxFrac:]
	whole = strings.TrimLeft(whole, "0")
	if len(whole) < f.minInt {
		whole = strings.Repeat("0", f.minInt-len(whole)) + whole
	}
	for len(frac) > f.minFrac && strings.HasSuffix(frac, "0") {
		frac = frac[:len(frac)-1]
	}
	if f.group > 0 {
		var b strings.Builder
		for i, c := range whole {
			if i > 0 && (len(whole)-i)%f.group == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		whole = b.String()
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.,") != "" {
		out = "-" + out
	}
	return out
}

func formatNumber(v []driver.Value) (any, error) {
	f, ok, err := formatPattern(v[2].(string))
	if err != nil || !ok {
		return nil, err
	}
	x, ok := exactValue(v[0].(string), v[1].(string))
	if !ok {
		return nil, nil
	}
	return f.format(x), nil
}

// decimalDivide is a / b rounded half up to scale digits, as Spark divides
// decimals (decimal_rewrite.go): NULL for a zero divisor; past precision
// digits an error under ANSI (the ansi argument), NULL otherwise.
func decimalDivide(v []driver.Value) (any, error) {
	a, okA := new(big.Rat).SetString(v[0].(string))
	b, okB := new(big.Rat).SetString(v[1].(string))
	if !okA || !okB || b.Sign() == 0 {
		return nil, nil
	}
	scale, precision, ansi := int64(v[2].(int32)), int(v[3].(int32)), v[4].(bool)
	q := new(big.Rat).Quo(a, b)
	n := roundHalfUp(q.Mul(q, new(big.Rat).SetInt(pow10(scale))))
	if len(new(big.Int).Abs(n).String()) > precision && n.Sign() != 0 {
		if ansi {
			return nil, fmt.Errorf("[NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION] %s / %s rounded to %d digits after the point cannot be represented as DECIMAL(%d, %d). "+
				"If necessary set spark.sql.ansi.enabled to false to answer NULL instead", v[0], v[1], scale, precision, scale)
		}
		return nil, nil
	}
	return formatDecimal(duckdb.Decimal{Scale: uint8(scale), Value: n}), nil
}

// roundHalfUp is r rounded to an integer, a half away from zero (Java's
// HALF_UP).
func roundHalfUp(r *big.Rat) *big.Int {
	abs := new(big.Rat).Abs(r)
	n, rem := new(big.Int).QuoRem(abs.Num(), abs.Denom(), new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(abs.Denom()) >= 0 {
		n.Add(n, big.NewInt(1))
	}
	if r.Sign() < 0 {
		n.Neg(n)
	}
	return n
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }

// javaNumber is a double or a float as Java's toString writes it (Spark's
// CAST to a string): the shortest digits that read back, in plain notation
// from 10^-3 up to 10^7 and as 1.0E10 outside, always with a fraction.
func javaNumber(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0 && math.Signbit(f):
		return "-0.0"
	case f == 0:
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		out := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(out, ".") {
			out += ".0"
		}
		return out
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, bits), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// roundDouble is Spark's round of a double: the double's decimal text
// (Java's shortest) rounded half up to d digits, read back as a double;
// round(1.005, 2) is 1.01 where rounding the binary value gives 1.0.
func roundDouble(v []driver.Value) (any, error) {
	x := v[0].(float64)
	d := int64(0)
	if len(v) > 1 {
		d = int64(v[1].(int32))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || d > 300 || d < -300 {
		return x, nil
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		return x, nil
	}
	scale := new(big.Rat).SetInt(pow10(abs64(d)))
	if d >= 0 {
		r.Mul(r, scale)
	} else {
		r.Quo(r, scale)
	}
	neg := r.Sign() < 0
	out := new(big.Rat).SetInt(roundHalfUp(r))
	if d >= 0 {
		out.Quo(out, scale)
	} else {
		out.Mul(out, scale)
	}
	f, _ := out.Float64()
	if f == 0 && neg {
		f = math.Copysign(0, -1)
	}
	return f, nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func numberFunctions(d *duckTypes) map[string][]*goFunction {
	str, i32, b := d.of(duckdb.TYPE_VARCHAR), d.of(duckdb.TYPE_INTEGER), d.of(duckdb.TYPE_BOOLEAN)
	return map[string][]*goFunction{
		"round_double": {
			{in: []duckdb.TypeInfo{d.of(duckdb.TYPE_DOUBLE)}, out: d.of(duckdb.TYPE_DOUBLE), fn: roundDouble},
			{in: []duckdb.TypeInfo{d.of(duckdb.TYPE_DOUBLE), i32}, out: d.of(duckdb.TYPE_DOUBLE), fn: roundDouble},
		},
		"java_number": {
			{in: []duckdb.TypeInfo{d.of(duckdb.TYPE_DOUBLE)}, out: str, fn: func(v []driver.Value) (any, error) { return javaNumber(v[0].(float64), 64), nil }},
			{in: []duckdb.TypeInfo{d.of(duckdb.TYPE_FLOAT)}, out: str, fn: func(v []driver.Value) (any, error) { return javaNumber(float64(v[0].(float32)), 32), nil }},
		},
		"format_number":  {{in: []duckdb.TypeInfo{str, str, str}, out: str, fn: formatNumber}},
		"decimal_divide": {{in: []duckdb.TypeInfo{str, str, i32, i32, b}, out: str, fn: decimalDivide}},
	}
}
