package duckdb

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Two of Spark's arithmetic answers DuckDB gives otherwise, read from the
// same plan: a date minus a date is an interval of days in Spark (DuckDB:
// a number of days), and, with ANSI off, integral +, - and * wrap around
// their type (DuckDB raises an overflow). The wrap is costly and only
// matters when a value overflows, so a statement is rewritten for it only
// after DuckDB raised the overflow.

// arithUse is one such operator: where it stands, and how it is rewritten
// (a date difference, or wrapped to an integral type of bits bits).
type arithUse struct {
	loc  int
	op   string
	bits int
}

// arithUses finds the plan's date differences, and with wrap its
// integral +, - and *.
func (ty typer) arithUses(tree map[string]any, wrap bool) []arithUse {
	var out []arithUse
	ty.visit(tree["plans"], nil, func(v map[string]any, scope []planCol) {
		kids, _ := v["children"].([]any)
		name, _ := v["name"].(string)
		loc, ok := location(v)
		if v["expression_class"] != "BOUND_FUNCTION" || len(kids) != 2 || !ok {
			return
		}
		switch {
		case name == "-" && typeID(uncast(kids[0])) == "DATE" && typeID(uncast(kids[1])) == "DATE" && typeIDOf(v["return_type"]) == "BIGINT":
			out = append(out, arithUse{loc: loc, op: "-"})
		case wrap && (name == "+" || name == "-" || name == "*"):
			a, b := ty.of(kids[0], scope), ty.of(kids[1], scope)
			if a.class == numIntegral && b.class == numIntegral && duckNum(v["return_type"]).class == numIntegral {
				out = append(out, arithUse{loc: loc, op: name, bits: integralBits(max(a.p, b.p))})
			}
		}
	})
	return out
}

// integralBits is the width of Spark's integral type of p digits.
func integralBits(p int) int {
	switch {
	case p <= 3:
		return 8
	case p <= 5:
		return 16
	case p <= 10:
		return 32
	}
	return 64
}

// integralType is DuckDB's integral type of bits bits.
func integralType(bits int) string {
	switch bits {
	case 8:
		return "TINYINT"
	case 16:
		return "SMALLINT"
	case 32:
		return "INTEGER"
	}
	return "BIGINT"
}

// arithSpans places the uses in the text; a use whose place holds another
// operator is a macro's and is passed over; false for one not read.
func arithSpans(toks []token, at map[int]int, uses []arithUse) ([]decimalSpan, bool) {
	var spans []decimalSpan
	for _, u := range uses {
		i, ok := at[u.loc]
		if !ok || toks[i].text != u.op || (u.op != "*" && isUnary(toks, i)) {
			continue
		}
		var lo int
		if u.op == "*" {
			lo = leftOperand(toks, i)
		} else {
			lo = additiveLeft(toks, i)
		}
		r := nextSig(toks, i+1)
		var hi int
		if u.op == "*" {
			hi = rightOperand(toks, r)
		} else {
			hi = mulChainEnd(toks, r)
		}
		if lo < 0 || hi < r {
			return nil, false
		}
		sp := decimalSpan{start: lo, end: hi, num: [2]int{lo, prevSig(toks, i-1)}, div: [2]int{r, hi}}
		if u.bits == 0 {
			sp.arith = "to_days(CAST((%s) - (%s) AS INTEGER))"
		} else {
			sp.arith = "CAST(" + fnCatalog + ".main.spark_wrap(CAST((%s) AS HUGEINT) " + u.op + " CAST((%s) AS HUGEINT), " + strconv.Itoa(u.bits) + ") AS " + integralType(u.bits) + ")"
		}
		spans = append(spans, sp)
	}
	return spans, true
}

// integralOverflow: DuckDB's overflow of an integral +, - or *.
func integralOverflow(err error) bool {
	var se *status.Error
	if !errors.As(err, &se) || se.SQLState != "22003" {
		return false
	}
	return strings.Contains(se.Message, "Overflow in addition") || strings.Contains(se.Message, "Overflow in subtraction") ||
		strings.Contains(se.Message, "Overflow in multiplication")
}

// legacyWrap is sql with its integral +, - and * wrapping around, as
// Spark's legacy arithmetic does; false when the plan does not place them.
func legacyWrap(ctx context.Context, ss *session, sql string) (string, bool) {
	tree, ok := readPlan(ctx, ss, sql)
	if !ok {
		return "", false
	}
	ty := typer{sql: sql}.withCTEs(tree)
	toks, at, ok := statementTokens(sql)
	if !ok {
		return "", false
	}
	spans, ok := arithSpans(toks, at, ty.arithUses(tree, true))
	if !ok || len(spans) == 0 {
		return "", false
	}
	return rewriteDecimals(toks, spans), true
}
