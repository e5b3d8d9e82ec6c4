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
	// Left: back over what was already written, at this nesting level.
	start, depth := len(c.out), 0
	for k := len(c.out) - 1; k >= 0; k-- {
		t := c.out[k]
		if t.text == ")" {
			depth++
		} else if t.text == "(" {
			if depth == 0 {
				break
			}
			depth--
		} else if depth == 0 && xorStop(t) {
			break
		}
		if t.significant() {
			start = k
		}
	}
	// Right: forward over the statement's tokens.
	end, depth := c.i, 0
	for k := c.i + 1; k < len(c.toks); k++ {
		t := c.toks[k]
		if t.text == "(" {
			depth++
		} else if t.text == ")" {
			if depth == 0 {
				break
			}
			depth--
		} else if depth == 0 && xorStop(t) {
			break
		}
		if t.significant() {
			end = k
		}
	}
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
