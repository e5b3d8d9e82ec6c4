package duckdb

import "strings"

// byteForm is the Spark macro of the binary form of a string function
// that also takes a binary (macros_go.go), or "".
func byteForm(name string) string {
	switch name {
	case "length", "len", "char_length", "character_length", "octet_length":
		return "bytes_length"
	case "bit_length", "btrim", "contains", "startswith", "endswith", "left", "lpad", "rpad":
		return "bytes_" + name
	case "substr", "substring":
		return "bytes_substr"
	}
	return ""
}

func nextSig(toks []token, k int) int {
	for k < len(toks) && !toks[k].significant() {
		k++
	}
	return k
}

func prevSig(toks []token, k int) int {
	for k >= 0 && !toks[k].significant() {
		k--
	}
	return k
}

// ruleByteForm sends a string function of a binary to its binary form.
func ruleByteForm(c *exprCursor) bool {
	if !c.call() {
		return false
	}
	form := byteForm(strings.ToLower(c.t.text))
	if form == "" || argKind(c.toks, c.n) != kindBinary {
		return false
	}
	return c.emit(tkIdent, fnCatalog+".main.spark_"+form, c.i)
}

// ruleShiftUnsigned: Spark's a >>> n (shiftrightunsigned) between two
// simple operands (a name, a literal, a parenthesized group or a call).
func ruleShiftUnsigned(c *exprCursor) bool {
	if c.t.text != ">" || c.i+2 >= len(c.toks) || c.toks[c.i+1].text != ">" || c.toks[c.i+2].text != ">" {
		return false
	}
	left, rest := takeOperandBack(c.out)
	r := nextSig(c.toks, c.i+3)
	if len(left) == 0 || r >= len(c.toks) {
		return false
	}
	end := r
	if c.toks[r].text == "(" {
		end = matchParen(c.toks, r)
	} else if n := nextSig(c.toks, r+1); n < len(c.toks) && c.toks[n].text == "(" && c.toks[r].kind == tkIdent {
		end = matchParen(c.toks, n)
	}
	right := render(rewriteExpr(c.toks[r : end+1]))
	c.out = rest
	return c.emit(tkPunct, fnCatalog+".main.spark_shiftrightunsigned("+strings.TrimSpace(render(left))+", "+strings.TrimSpace(right)+")", end)
}
