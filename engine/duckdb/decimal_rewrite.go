package duckdb

import (
	"fmt"
	"sort"
)

// A decimal division or avg whose Spark type the plan gives is rewritten
// in the statement's text, where the plan places it: a division at its
// operator (its left operand read back from there, its divisor the
// spark_divisor call after it), an avg at its name. The Go function
// kitsune_decimal_divide divides exactly and rounds half up to Spark's
// scale; the CAST gives the column Spark's DECIMAL(p, s).

// decimalSpan is one rewritten expression: tokens [start, end], with the
// parts that are kept (the numerator, the divisor or the avg's argument,
// the avg's FILTER and OVER) rendered in turn, so that a division inside
// one is rewritten too.
type decimalSpan struct {
	start, end int
	avg        bool
	num        [2]int // numerator, or the avg's argument
	div        [2]int // the divisor inside spark_divisor( )
	suffix     [2]int // the avg's FILTER and OVER clauses (start > end: none)
	typ        sparkNum
	// wrap, wrapEnd: a CAST's argument (num, the whole span) goes between
	// them (cast_integral.go).
	wrap, wrapEnd string
	// replace: the span's one token is written so (a function renamed).
	replace string
	// arith: a binary operator's template, its operands (num and div) in
	// the two %s (plan_arith.go).
	arith string
}

// statementTokens lexes sql and places each token at its byte offset;
// false if the tokens do not render sql back as it is.
func statementTokens(sql string) ([]token, map[int]int, bool) {
	toks := lexDuck(sql)
	at := map[int]int{}
	off := 0
	for i, t := range toks {
		at[off] = i
		off += len(t.text)
	}
	return toks, at, render(toks) == sql
}

// divisionSpans places the plan's decimal divisions in the text.
func divisionSpans(toks []token, at map[int]int, uses []decimalUse) ([]decimalSpan, bool) {
	var spans []decimalSpan
	for _, u := range uses {
		if u.avg {
			continue
		}
		i, ok := at[u.loc]
		if u.typ.class != numDecimal || !ok || toks[i].text != "/" {
			return nil, false
		}
		sp, ok := divisionSpan(toks, i)
		if !ok {
			return nil, false
		}
		sp.typ = u.typ
		spans = append(spans, sp)
	}
	return spans, true
}

// rewriteDecimals renders toks with every span rewritten.
func rewriteDecimals(toks []token, spans []decimalSpan) string {
	// Outermost first where two start at one token (a / b / c); a CAST's
	// argument wraps a division that is all of it.
	sort.SliceStable(spans, func(a, b int) bool {
		x, y := spans[a], spans[b]
		if x.start != y.start {
			return x.start < y.start
		}
		if x.end != y.end {
			return x.end > y.end
		}
		return x.wrap != "" && y.wrap == ""
	})
	return renderDecimals(toks, spans, 0, len(toks)-1, -1)
}

// divisionSpan reads the division whose operator is toks[op].
func divisionSpan(toks []token, op int) (decimalSpan, bool) {
	start := leftOperand(toks, op)
	fn := nextSig(toks, op+1)
	for fn < len(toks) && !(toks[fn].kind == tkIdent && toks[fn].text == "spark_divisor") {
		if toks[fn].text != "." && toks[fn].kind != tkIdent {
			return decimalSpan{}, false
		}
		fn = nextSig(toks, fn+1)
	}
	open := nextSig(toks, fn+1)
	if start < 0 || open >= len(toks) || toks[open].text != "(" {
		return decimalSpan{}, false
	}
	end := matchParen(toks, open)
	return decimalSpan{start: start, end: end, num: [2]int{start, prevSig(toks, op-1)}, div: [2]int{open + 1, end - 1}}, true
}

// callSpans are the statement's calls of the named aggregates (avg and
// mean, sum) with their FILTER and OVER clauses; false for a clause not
// read here or a call inside another.
func callSpans(toks []token, names ...string) ([]decimalSpan, bool) {
	var out []decimalSpan
	for i, t := range toks {
		if t.kind != tkIdent || !t.is(names...) || (i > 0 && toks[i-1].text == ".") {
			continue
		}
		open := nextSig(toks, i+1)
		if open >= len(toks) || toks[open].text != "(" {
			continue
		}
		if len(out) > 0 && i <= out[len(out)-1].end {
			return nil, false // an avg inside another's argument or window
		}
		end := matchParen(toks, open)
		sp := decimalSpan{start: i, num: [2]int{open + 1, end - 1}, suffix: [2]int{end + 1, end}}
		for n := nextSig(toks, end+1); n < len(toks) && toks[n].is("FILTER", "OVER"); n = nextSig(toks, end+1) {
			if k := nextSig(toks, n+1); k < len(toks) && toks[k].text == "(" {
				end = matchParen(toks, k)
			} else if k < len(toks) && toks[n].is("OVER") && toks[k].kind == tkIdent {
				end = k
			} else {
				return nil, false
			}
		}
		sp.end, sp.suffix[1] = end, end
		out = append(out, sp)
	}
	return out, true
}

// callProbe is the statement with each call as (call * 1): the plan
// places the *, and its operand is the call, so that the probe's plan
// says of which Spark type each call is. marks holds the offset of each
// call's *.
func callProbe(toks []token, spans []decimalSpan) (probe string, marks []int) {
	var b []byte
	next := 0
	for _, sp := range spans {
		b = append(b, render(toks[next:sp.start])...)
		b = append(b, '(')
		b = append(b, render(toks[sp.start:sp.end+1])...)
		b = append(b, ' ')
		marks = append(marks, len(b))
		b = append(b, "* 1)"...)
		next = sp.end + 1
	}
	return string(append(b, render(toks[next:])...)), marks
}

// renderDecimals renders toks[lo..hi], each span in it rewritten but the
// one at index inside (whose own argument is rendered).
func renderDecimals(toks []token, spans []decimalSpan, lo, hi, inside int) string {
	var b []byte
	for i := lo; i <= hi; {
		k, ok := spanAt(spans, i, hi, inside)
		if !ok {
			b = append(b, toks[i].text...)
			i++
			continue
		}
		sp := spans[k]
		part := func(r [2]int) string { return renderDecimals(toks, spans, r[0], r[1], -1) }
		if sp.replace != "" {
			b = append(b, sp.replace...)
			i = sp.end + 1
			continue
		}
		if sp.arith != "" {
			b = fmt.Appendf(b, sp.arith, part(sp.num), part(sp.div))
			i = sp.end + 1
			continue
		}
		if sp.wrap != "" {
			b = append(b, sp.wrap+renderDecimals(toks, spans, sp.num[0], sp.num[1], k)+sp.wrapEnd...)
			if sp.wrapEnd == "" {
				b = append(b, ')')
			}
			i = sp.end + 1
			continue
		}
		p, s := sp.typ.p, sp.typ.s
		var num, den string
		if sp.avg {
			suffix := ""
			if sp.suffix[0] <= sp.suffix[1] {
				suffix = part(sp.suffix)
			}
			num = "sum(" + part(sp.num) + ")" + suffix
			den = "count(" + part(sp.num) + ")" + suffix
		} else {
			num = "(" + part(sp.num) + ")"
			den = fnCatalog + ".main.spark_divisor(" + part(sp.div) + ")"
		}
		b = fmt.Appendf(b, "CAST(kitsune_decimal_divide(CAST(%s AS VARCHAR), CAST(%s AS VARCHAR), %d, %d, coalesce(getvariable('kitsune_ansi'), true)) AS DECIMAL(%d, %d))",
			num, den, s, p, p, s)
		i = sp.end + 1
	}
	return string(b)
}

// spanAt is the outermost span but skip that starts at token i and ends
// by hi; after skip, only those it holds.
func spanAt(spans []decimalSpan, i, hi, skip int) (int, bool) {
	for k, sp := range spans {
		if k > skip && sp.start == i && sp.end <= hi {
			return k, true
		}
	}
	return 0, false
}
