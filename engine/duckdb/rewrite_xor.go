package duckdb

import "strings"

// Spark's ^ is bitwise exclusive OR (DuckDB's is a power), binding looser
// than arithmetic, shifts and &, tighter than | and comparisons; a ^ b
// becomes xor(a, b) over the operands that precedence gives it.

// xorStops are the words an operand of ^ does not reach across.
const xorStops = " AND OR NOT SELECT WHERE THEN WHEN ELSE CASE END AS ON IS IN BETWEEN LIKE ILIKE RLIKE REGEXP FROM BY HAVING DISTINCT ALL ASC DESC LIMIT JOIN UNION "

func xorStop(t token) bool {
	switch t.kind {
	case tkIdent:
		return strings.Contains(xorStops, " "+strings.ToUpper(t.text)+" ")
	case tkPunct:
		switch t.text {
		case ",", "|", "||", "=", "==", "<", ">", "<=", ">=", "!=", "<>", "<=>", ";", "^":
			return true
		}
	}
	return false
}

func ruleXor(c *exprCursor) bool {
	if c.t.kind != tkPunct || c.t.text != "^" {
		return false
	}
	// Left: back over what was already written; right: forward over the
	// statement's tokens; each at this nesting level.
	start := xorOperand(c.out, len(c.out)-1, -1, len(c.out))
	end := xorOperand(c.toks, c.i+1, 1, c.i)
	left := strings.TrimSpace(render(c.out[start:]))
	right := strings.TrimSpace(render(rewriteExpr(c.toks[c.i+1 : end+1])))
	if left == "" || right == "" {
		return false
	}
	c.out = c.out[:start]
	if start > 0 && c.out[start-1].significant() {
		c.out = append(c.out, token{kind: tkSpace, text: " "})
	}
	return c.emit(tkPunct, "xor("+left+", "+right+")", end)
}

// xorOperand walks toks from k by step (1 forward, -1 back) over one
// operand of ^ and answers its last significant index that way (none if
// none: the given fallback).
func xorOperand(toks []token, k, step, none int) int {
	open, close := "(", ")"
	if step < 0 {
		open, close = ")", "("
	}
	far, depth := none, 0
	for ; k >= 0 && k < len(toks); k += step {
		t := toks[k]
		if t.text == open {
			depth++
		} else if t.text == close {
			if depth == 0 {
				break
			}
			depth--
		} else if depth == 0 && xorStop(t) {
			break
		}
		if t.significant() {
			far = k
		}
	}
	return far
}
