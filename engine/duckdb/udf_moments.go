package duckdb

import (
	"database/sql/driver"
	"math"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark computes its statistical aggregates (skewness, kurtosis, corr,
// regr_*) with online update and merge formulas, so its last digits depend
// on the order of operations and on how the rows are split into
// partitions; DuckDB's formulas differ there. These functions take the
// group's values as a list (the macros aggregate them with list(), NULLs
// kept in place) and compute as Spark does on two partitions — local[2],
// where Spark's documented examples were made: the rows are cut in two
// halves as Spark's parallelize cuts them, each half is updated row by
// row, and the two buffers are merged.

// sparkSlices is how many partitions the computation follows.
const sparkSlices = 2

// sliceBounds are the [from, to) bounds of part i of n rows, as Spark's
// parallelize cuts a local collection.
func sliceBounds(i, n int) (int, int) {
	return i * n / sparkSlices, (i + 1) * n / sparkSlices
}

// moments is Spark's CentralMomentAgg buffer.
type moments struct{ n, avg, m2, m3, m4 float64 }

// update adds one value (Spark's updateExpressions).
func (b *moments) update(x float64) {
	n := b.n + 1
	delta := x - b.avg
	deltaN := delta / n
	m2 := b.m2 + delta*(delta-deltaN)
	delta2, deltaN2 := delta*delta, deltaN*deltaN
	m3 := b.m3 - 3.0*deltaN*m2 + delta*(delta2-deltaN2)
	m4 := b.m4 - 4.0*deltaN*m3 - 6.0*deltaN2*m2 + delta*(delta*delta2-deltaN*deltaN2)
	*b = moments{n: n, avg: b.avg + deltaN, m2: m2, m3: m3, m4: m4}
}

// merge adds another buffer (Spark's mergeExpressions).
func (l *moments) merge(r moments) {
	n1, n2 := l.n, r.n
	n := n1 + n2
	delta := r.avg - l.avg
	deltaN := 0.0
	if n != 0 {
		deltaN = delta / n
	}
	m2 := l.m2 + r.m2 + delta*deltaN*n1*n2
	m3 := l.m3 + r.m3 + deltaN*deltaN*delta*n1*n2*(n1-n2) + 3.0*deltaN*(n1*r.m2-n2*l.m2)
	m4 := l.m4 + r.m4 + deltaN*deltaN*deltaN*delta*n1*n2*(n1*n1-n1*n2+n2*n2) +
		6.0*deltaN*deltaN*(n1*n1*r.m2+n2*n2*l.m2) + 4.0*deltaN*(n1*r.m3-n2*l.m3)
	*l = moments{n: n, avg: l.avg + deltaN*n2, m2: m2, m3: m3, m4: m4}
}

// pearson is Spark's PearsonCorrelation (and Covariance) buffer.
type pearson struct{ n, xAvg, yAvg, ck, xMk, yMk float64 }

func (b *pearson) update(x, y float64) {
	n := b.n + 1
	dx, dy := x-b.xAvg, y-b.yAvg
	xAvg, yAvg := b.xAvg+dx/n, b.yAvg+dy/n
	*b = pearson{n: n, xAvg: xAvg, yAvg: yAvg, ck: b.ck + dx*(y-yAvg), xMk: b.xMk + dx*(x-xAvg), yMk: b.yMk + dy*(y-yAvg)}
}

func (l *pearson) merge(r pearson) {
	n1, n2 := l.n, r.n
	n := n1 + n2
	dx, dy := r.xAvg-l.xAvg, r.yAvg-l.yAvg
	dxN, dyN := 0.0, 0.0
	if n != 0 {
		dxN, dyN = dx/n, dy/n
	}
	*l = pearson{n: n, xAvg: l.xAvg + dxN*n2, yAvg: l.yAvg + dyN*n2,
		ck: l.ck + r.ck + dx*dyN*n1*n2, xMk: l.xMk + r.xMk + dx*dxN*n1*n2, yMk: l.yMk + r.yMk + dy*dyN*n1*n2}
}

// inPartitions feeds the list's values to add partition by partition,
// calling merge after each.
func inPartitions(v driver.Value, add func(any), merge func()) {
	xs, _ := v.([]any)
	for i := range sparkSlices {
		from, to := sliceBounds(i, len(xs))
		for _, x := range xs[from:to] {
			add(x)
		}
		merge()
	}
}

func momentsOf(v driver.Value) moments {
	var total, part moments
	inPartitions(v, func(x any) {
		if f, ok := x.(float64); ok {
			part.update(f)
		}
	}, func() { total.merge(part); part = moments{} })
	return total
}

// pearsonOf reads a list of {x, y} pairs; a pair with a NULL is skipped.
func pearsonOf(v driver.Value) pearson {
	var total, part pearson
	inPartitions(v, func(e any) {
		pair, _ := e.(map[string]any)
		x, okx := pair["x"].(float64)
		y, oky := pair["y"].(float64)
		if okx && oky {
			part.update(x, y)
		}
	}, func() { total.merge(part); part = pearson{} })
	return total
}

func momentFunctions(d *duckTypes) map[string][]*goFunction {
	dbl := d.of(duckdb.TYPE_DOUBLE)
	values := []duckdb.TypeInfo{d.list(dbl)}
	pairs := []duckdb.TypeInfo{d.list(d.pair("x", "y", dbl))}
	one := func(eval func(moments) any) []*goFunction {
		return []*goFunction{{in: values, out: dbl, fn: func(v []driver.Value) (any, error) { return eval(momentsOf(v[0])), nil }}}
	}
	two := func(eval func(pearson) any) []*goFunction {
		return []*goFunction{{in: pairs, out: dbl, fn: func(v []driver.Value) (any, error) { return eval(pearsonOf(v[0])), nil }}}
	}
	return map[string][]*goFunction{
		"skewness": one(func(m moments) any {
			switch {
			case m.n == 0:
				return nil
			case m.m2 == 0:
				return math.NaN()
			}
			return math.Sqrt(m.n) * m.m3 / math.Sqrt(m.m2*m.m2*m.m2)
		}),
		"kurtosis": one(func(m moments) any {
			switch {
			case m.n == 0:
				return nil
			case m.m2 == 0:
				return math.NaN()
			}
			return m.n*m.m4/(m.m2*m.m2) - 3.0
		}),
		"sum_squares": one(func(m moments) any { // regr_sxx, regr_syy
			if m.n == 0 {
				return nil
			}
			return m.m2
		}),
		"corr": two(func(p pearson) any {
			if p.n < 2 {
				return nil
			}
			return p.ck / math.Sqrt(p.xMk*p.yMk)
		}),
		"co_moment": two(func(p pearson) any { // regr_sxy
			if p.n == 0 {
				return nil
			}
			return p.ck
		}),
		"r2": two(func(p pearson) any { // regr_r2(y, x), pairs {x: y, y: x} as Spark passes them
			switch {
			case p.n == 0 || p.xMk == 0:
				return nil
			case p.yMk == 0:
				return 1.0
			}
			c := p.ck / math.Sqrt(p.xMk*p.yMk)
			return c * c
		}),
	}
}
