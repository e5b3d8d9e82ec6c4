package duckdb

import (
	"database/sql/driver"
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's make_interval answers a CalendarInterval, which Spark prints as
// "100 years 11 months 8 days 12 hours 30 minutes 1.001001 seconds"; the
// local engine answers that text (a CalendarInterval cannot be stored in
// a table in Spark either, only shown or added to a timestamp).

const (
	microsPerMinute = 60 * 1_000_000
	microsPerHour   = 60 * microsPerMinute
)

var errIntervalOverflow = errors.New("ARITHMETIC_OVERFLOW: make_interval overflows (months and days are 32-bit, microseconds 64-bit); try_make_interval answers NULL")

// calendarInterval is Spark's CalendarInterval.toString.
func calendarInterval(months, days int32, micros int64) string {
	if months == 0 && days == 0 && micros == 0 {
		return "0 seconds"
	}
	var b strings.Builder
	unit := func(v int64, name string) {
		if v != 0 {
			b.WriteString(strconv.FormatInt(v, 10) + " " + name + " ")
		}
	}
	unit(int64(months/12), "years")
	unit(int64(months%12), "months")
	unit(int64(days), "days")
	unit(micros/microsPerHour, "hours")
	rest := micros % microsPerHour
	unit(rest/microsPerMinute, "minutes")
	if rest %= microsPerMinute; rest != 0 {
		secs := new(big.Rat).SetFrac64(rest, 1_000_000).FloatString(6)
		secs = strings.TrimRight(strings.TrimRight(secs, "0"), ".")
		b.WriteString(secs + " seconds ")
	}
	return strings.TrimSuffix(b.String(), " ")
}

// makeInterval is make_interval(years, months, weeks, days, hours, mins,
// secs) with Spark's overflow checks.
func makeInterval(v []driver.Value) (any, error) {
	n := make([]int64, 6)
	for i := range n {
		n[i] = asInt(v[i])
	}
	secs, _ := v[6].(duckdb.Decimal)
	try, _ := v[7].(bool)
	fail := func() (any, error) {
		if try {
			return nil, nil
		}
		return nil, errIntervalOverflow
	}
	months := n[0]*12 + n[1]
	days := n[2]*7 + n[3]
	if months > math.MaxInt32 || months < math.MinInt32 || days > math.MaxInt32 || days < math.MinInt32 {
		return fail()
	}
	var micros big.Int
	if secs.Value != nil {
		micros.Set(secs.Value) // DECIMAL(18,6): the unscaled value is microseconds
	}
	micros.Add(&micros, big.NewInt(0).Mul(big.NewInt(n[4]), big.NewInt(microsPerHour)))
	micros.Add(&micros, big.NewInt(0).Mul(big.NewInt(n[5]), big.NewInt(microsPerMinute)))
	if !micros.IsInt64() {
		return fail()
	}
	return calendarInterval(int32(months), int32(days), micros.Int64()), nil
}

func intervalFunctions(d *duckTypes) map[string][]*goFunction {
	n, secs := d.of(duckdb.TYPE_BIGINT), d.decimal(18, 6)
	in := []duckdb.TypeInfo{n, n, n, n, n, n, secs, d.of(duckdb.TYPE_BOOLEAN)}
	return map[string][]*goFunction{
		"make_interval": {{in: in, out: d.of(duckdb.TYPE_VARCHAR), fn: makeInterval}},
	}
}
