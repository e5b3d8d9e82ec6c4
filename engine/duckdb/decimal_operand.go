package duckdb

// leftOperand reads back from a multiplicative operator at toks[op] to the
// first token of its left operand: a chain of terms joined by *, / and %
// (they bind left to right), each a term with its signs, casts and
// subscripts. -1 for what it does not read.
func leftOperand(toks []token, op int) int { return mulChainStart(toks, prevSig(toks, op-1)) }

// mulChainStart is the first token of the chain of terms joined by *, /
// and % that ends at toks[k].
func mulChainStart(toks []token, k int) int {
	for {
		start := termStart(toks, k)
		if start < 0 {
			return -1
		}
		p := prevSig(toks, start-1)
		if p < 0 || !(toks[p].text == "*" || toks[p].text == "/" || toks[p].text == "%" || toks[p].text == "//") {
			return start
		}
		k = prevSig(toks, p-1)
	}
}

// notCallee: a word before a parenthesis that does not call a function.
func notCallee(t token) bool {
	return t.is("SELECT", "WHERE", "AND", "OR", "NOT", "ON", "WHEN", "THEN", "ELSE", "IN", "EXISTS", "BY", "HAVING", "FROM", "AS",
		"RETURN", "VALUES", "DISTINCT", "ALL", "IS", "LIKE", "BETWEEN", "USING", "SET")
}

// termStart is the first token of the term that ends at toks[k].
func termStart(toks []token, k int) int {
	if k < 0 {
		return -1
	}
	var start int
	switch t := toks[k]; {
	case t.text == ")":
		start = matchBack(toks, k, "(", ")")
		if q := prevSig(toks, start-1); q >= 0 && (toks[q].kind == tkIdent || toks[q].kind == tkQuoted) && !notCallee(toks[q]) {
			start = nameStart(toks, q)
			if toks[q].is("OVER", "FILTER") || toks[q].is("GROUP") {
				return termStart(toks, calleeEnd(toks, q))
			}
		}
	case t.text == "]":
		open := matchBack(toks, k, "[", "]")
		return termStart(toks, prevSig(toks, open-1))
	case t.is("END"):
		start = caseStart(toks, k)
	case t.kind == tkIdent && notCallee(t):
		return -1
	case t.kind == tkIdent || t.kind == tkQuoted:
		start = nameStart(toks, k)
	case t.kind == tkString:
		start = k
		if p := prevSig(toks, k-1); p >= 0 && toks[p].is("DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIME", "X") {
			start = p // a typed literal
		}
	case t.kind == tkNumber:
		start = k
	default:
		return -1
	}
	if start < 0 {
		return -1
	}
	p := prevSig(toks, start-1)
	switch {
	case p >= 0 && toks[p].text == "::":
		return termStart(toks, prevSig(toks, p-1))
	case p >= 0 && (toks[p].text == "-" || toks[p].text == "+") && isUnary(toks, p):
		return p
	}
	return start
}

// calleeEnd is the token before a window's OVER, an aggregate's FILTER or
// WITHIN GROUP: the call it belongs to ends there.
func calleeEnd(toks []token, q int) int {
	p := prevSig(toks, q-1)
	if toks[q].is("GROUP") && p >= 0 && toks[p].is("WITHIN") {
		p = prevSig(toks, p-1)
	}
	return p
}

// isUnary: the sign at toks[p] follows no operand.
func isUnary(toks []token, p int) bool {
	q := prevSig(toks, p-1)
	if q < 0 {
		return true
	}
	t := toks[q]
	switch {
	case t.text == ")" || t.text == "]" || t.kind == tkNumber || t.kind == tkString || t.kind == tkQuoted:
		return false
	case t.kind == tkIdent:
		return notCallee(t)
	}
	return true
}

// nameStart reads a dotted name back to its first part.
func nameStart(toks []token, k int) int {
	for {
		p := prevSig(toks, k-1)
		if p < 1 || toks[p].text != "." {
			return k
		}
		q := prevSig(toks, p-1)
		if q < 0 || (toks[q].kind != tkIdent && toks[q].kind != tkQuoted) {
			return k
		}
		k = q
	}
}

// matchBack is the opener of the closer at toks[k].
func matchBack(toks []token, k int, opener, closer string) int {
	depth := 0
	for j := k; j >= 0; j-- {
		switch toks[j].text {
		case closer:
			depth++
		case opener:
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return -1
}

// caseStart is the CASE of the END at toks[k].
func caseStart(toks []token, k int) int {
	depth := 0
	for ; k >= 0; k-- {
		switch {
		case toks[k].is("END"):
			depth++
		case toks[k].is("CASE"):
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// additiveLeft reads back from + or - at toks[op] to the first token of
// its left operand: multiplicative chains joined by binary + and -.
func additiveLeft(toks []token, op int) int {
	k := prevSig(toks, op-1)
	for {
		start := mulChainStart(toks, k)
		if start < 0 {
			return -1
		}
		p := prevSig(toks, start-1)
		if p < 0 || !(toks[p].text == "+" || toks[p].text == "-") || isUnary(toks, p) {
			return start
		}
		k = prevSig(toks, p-1)
	}
}

// mulChainEnd is the last token of the chain of terms joined by *, / and
// % that starts at toks[k]: the right operand of + and -. -1 for what it
// does not read.
func mulChainEnd(toks []token, k int) int {
	for {
		end := rightOperand(toks, k)
		if end < 0 {
			return -1
		}
		n := nextSig(toks, end+1)
		if n >= len(toks) || !(toks[n].text == "*" || toks[n].text == "/" || toks[n].text == "%" || toks[n].text == "//") {
			return end
		}
		k = nextSig(toks, n+1)
	}
}
