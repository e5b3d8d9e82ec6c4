package duckdb

import "strings"

// Spark's ANSI mode (its default, spark.sql.ansi.enabled): a division or
// remainder by zero is an error (DIVIDE_BY_ZERO), where DuckDB answers
// NULL or Infinity; with ANSI off it is NULL. The divisor of /, % and DIV
// goes through the Spark macro spark_divisor, which reads the session's
// setting (the variable kitsune_ansi). With ANSI off, a CAST that cannot
// convert answers NULL, as Spark's legacy casts do (TRY_CAST).

// ruleDivisor wraps the right operand of /, % and DIV.
func ruleDivisor(c *exprCursor) bool {
	op := ""
	switch {
	case c.t.kind == tkPunct && (c.t.text == "/" || c.t.text == "%"):
		op = c.t.text
	case c.t.is("DIV") && c.prev.kind != tkSpace && c.prev.text != "":
		op = "//"
	default:
		return false
	}
	start := nextSig(c.toks, c.i+1)
	end := rightOperand(c.toks, start)
	if end < start {
		// An operand it does not read (an interval) keeps DuckDB's answer
		// for zero; DIV still becomes DuckDB's //.
		return op == "//" && c.emit(tkPunct, "//", c.i)
	}
	operand := strings.TrimSpace(render(rewriteExpr(c.toks[start : end+1])))
	return c.emit(tkPunct, op+" "+fnCatalog+".main.spark_divisor("+operand+")", end)
}

// rightOperand is the index of the last token of the operand that starts
// at toks[k] and binds to a multiplicative operator before it: signs, then
// a literal, a name (dotted), a call, a parenthesized group or a CASE,
// then subscripts and :: casts; -1 for what it does not read.
func rightOperand(toks []token, k int) int {
	for k < len(toks) && (toks[k].text == "-" || toks[k].text == "+") {
		k = nextSig(toks, k+1)
	}
	if k >= len(toks) || toks[k].is("INTERVAL") {
		return -1
	}
	end := k
	next := nextSig(toks, k+1)
	switch t := toks[k]; {
	case t.text == "(":
		end = matchParen(toks, k)
	case t.is("CASE"):
		end = caseEnd(toks, k)
	case (t.kind == tkIdent || t.kind == tkQuoted) && next < len(toks) && toks[next].text == "(":
		end = matchParen(toks, next)
	case t.is("DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIME", "X") && next < len(toks) && toks[next].kind == tkString:
		end = next // a typed literal
	case t.kind == tkIdent || t.kind == tkQuoted:
		for n := nextSig(toks, end+1); n+1 < len(toks) && toks[n].text == "."; n = nextSig(toks, end+1) {
			end = nextSig(toks, n+1)
		}
	case t.kind == tkNumber || t.kind == tkString:
	default:
		return -1
	}
	if end < 0 || end >= len(toks) {
		return -1
	}
	for n := nextSig(toks, end+1); n < len(toks); n = nextSig(toks, end+1) {
		switch {
		case toks[n].text == "[":
			if end = matchPair(toks, n, "[", "]"); toks[end].text != "]" {
				return -1
			}
		case toks[n].text == "::":
			end = nextSig(toks, n+1)
			if p := nextSig(toks, end+1); p < len(toks) && toks[p].text == "(" {
				end = matchParen(toks, p)
			}
		default:
			return end
		}
		if end < 0 || end >= len(toks) {
			return -1
		}
	}
	return end
}

// caseEnd is the END of the CASE at toks[k].
func caseEnd(toks []token, k int) int {
	depth := 0
	for ; k < len(toks); k++ {
		switch {
		case toks[k].is("CASE"):
			depth++
		case toks[k].is("END"):
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// legacyCasts turns the statement's CASTs into TRY_CASTs (ANSI off).
func legacyCasts(sql string) string {
	toks := lexDuck(sql)
	for i, t := range toks {
		if t.kind == tkIdent && t.is("CAST") && (i == 0 || toks[i-1].text != ".") {
			if n := nextSig(toks, i+1); n < len(toks) && toks[n].text == "(" {
				toks[i] = token{kind: tkIdent, text: "TRY_CAST"}
			}
		}
	}
	return render(toks)
}
