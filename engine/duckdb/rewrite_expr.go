package duckdb

import (
	"fmt"
	"strings"
)

// rewriteExpr applies the expression-level rewrites to a whole statement:
// Spark type syntax, then, token by token, the first expression rule that
// applies (exprRules); a token no rule takes is kept as it is.
func rewriteExpr(toks []token) []token {
	c := &exprCursor{toks: rewriteTypes(toks)}
	c.out = make([]token, 0, len(c.toks))
	rules := exprRules()
	for c.i = 0; c.i < len(c.toks); c.i++ {
		c.at()
		applied := false
		for _, r := range rules {
			if applied = r.apply(c); applied {
				break
			}
		}
		if !applied {
			c.out = append(c.out, c.t)
		}
	}
	return c.out
}

// exprCursor is where the expression rules stand: the tokens, what they
// were rewritten to so far, and the current token t at i with the
// significant tokens around it (next at n).
type exprCursor struct {
	toks, out     []token
	i, n          int
	t, next, prev token
}

// at reads the current token and its neighbours.
func (c *exprCursor) at() {
	c.t = c.toks[c.i]
	c.n = c.sigFrom(c.i + 1)
	c.next = token{}
	if c.n < len(c.toks) {
		c.next = c.toks[c.n]
	}
	c.prev = token{}
	for k := len(c.out) - 1; k >= 0; k-- {
		if c.out[k].significant() {
			c.prev = c.out[k]
			break
		}
	}
}

// sigFrom is the first significant token at or after k.
func (c *exprCursor) sigFrom(k int) int { return nextSig(c.toks, k) }

// emit appends a rewritten piece and moves past the tokens up to last.
func (c *exprCursor) emit(kind tokKind, text string, last int) bool {
	c.out = append(c.out, token{kind: kind, text: text})
	c.i = last
	return true
}

// call reports whether t is an unqualified identifier followed by "(".
func (c *exprCursor) call() bool {
	return c.t.kind == tkIdent && c.next.text == "(" && c.prev.text != "."
}

// takeOperandBack splits off the last operand of out (a dotted name, a
// literal, a parenthesized group or a function call).
func takeOperandBack(out []token) (operand, rest []token) {
	k := len(out) - 1
	for k >= 0 && !out[k].significant() {
		k--
	}
	if k < 0 {
		return nil, out
	}
	start := k
	if out[k].text == ")" {
		depth := 0
		for ; start >= 0; start-- {
			if out[start].text == ")" {
				depth++
			} else if out[start].text == "(" {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if start > 0 && (out[start-1].kind == tkIdent || out[start-1].kind == tkQuoted) {
			start--
		}
	}
	for start >= 2 && out[start-1].text == "." {
		start -= 2
	}
	if start < 0 {
		start = 0
	}
	return append([]token{}, out[start:k+1]...), out[:start]
}

// operandEnd returns the index of the last token of the operand starting at i.
func operandEnd(toks []token, i int) int {
	if i >= len(toks) {
		return len(toks) - 1
	}
	if toks[i].text == "(" {
		return matchParen(toks, i)
	}
	end := i
	for end+2 < len(toks) && toks[end+1].text == "." {
		end += 2
	}
	if end+1 < len(toks) && toks[end+1].text == "(" {
		return matchParen(toks, end+1)
	}
	return end
}

// rewriteTypes turns Spark's ARRAY<T>, MAP<K,V> and STRUCT<a:T,…> into
// DuckDB's T[], MAP(K, V) and STRUCT(a T, …).
func rewriteTypes(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.is("ARRAY", "MAP", "STRUCT") && i+1 < len(toks) && toks[i+1].text == "<" {
			typ, end := parseType(toks, i)
			if end > i {
				out = append(out, token{kind: tkIdent, text: typ})
				i = end
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// parseType parses a Spark type starting at toks[i] and returns its DuckDB
// spelling and the index of its last token (i when it is not a type).
func parseType(toks []token, i int) (string, int) {
	skip := func(k int) int { return nextSig(toks, k) }
	i = skip(i)
	if i >= len(toks) {
		return "", i
	}
	t := toks[i]
	if !(t.is("ARRAY", "MAP", "STRUCT")) || i+1 >= len(toks) || toks[i+1].text != "<" {
		// a simple type, possibly with (p, s)
		name := t.text
		j := skip(i + 1)
		if j < len(toks) && toks[j].text == "(" {
			end := matchParen(toks, j)
			return name + render(toks[j:end+1]), end
		}
		return name, i
	}
	j := i + 2
	switch {
	case t.is("ARRAY"):
		elem, e := parseType(toks, j)
		e = skip(e + 1)
		if e >= len(toks) || toks[e].text != ">" {
			return "", i
		}
		return elem + "[]", e
	case t.is("MAP"):
		k, e := parseType(toks, j)
		e = skip(e + 1)
		if e >= len(toks) || toks[e].text != "," {
			return "", i
		}
		v, e2 := parseType(toks, e+1)
		e2 = skip(e2 + 1)
		if e2 >= len(toks) || toks[e2].text != ">" {
			return "", i
		}
		return "MAP(" + k + ", " + v + ")", e2
	default:
		var fields []string
		k := j
		for {
			k = skip(k)
			if k >= len(toks) {
				return "", i
			}
			if toks[k].text == ">" {
				return "STRUCT(" + strings.Join(fields, ", ") + ")", k
			}
			name := toks[k].text
			k = skip(k + 1)
			if k < len(toks) && toks[k].text == ":" {
				k++
			}
			typ, e := parseType(toks, k)
			fields = append(fields, name+" "+typ)
			k = skip(e + 1)
			if k < len(toks) && toks[k].is("COMMENT") {
				k = skip(k+1) + 1
				k = skip(k)
			}
			if k < len(toks) && toks[k].text == "," {
				k++
			}
		}
	}
}

func takesJavaFormat(fn string) bool {
	switch strings.ToLower(fn) {
	case "date_format", "to_date", "to_timestamp", "from_unixtime", "unix_timestamp", "to_unix_timestamp", "to_time", "try_to_time",
		"to_timestamp_ltz", "to_timestamp_ntz", "try_to_timestamp", "try_to_date":
		return true
	}
	return false
}

// convertFormatArg rewrites, in place, a string-literal second argument of
// the call whose "(" is at toks[open] from a Java pattern to strftime:
// DuckDB needs the format as a constant.
func convertFormatArg(toks []token, open int, parse bool) {
	lit := formatLiteral(toks, open)
	if lit >= 0 {
		if v, err := javaPattern(toks[lit].val, parse); err == nil {
			toks[lit] = token{kind: tkString, text: sqlString(v), val: v}
		}
	}
}

// formatLiteral is the index of the string-literal second argument of the
// call whose "(" is at toks[open], or -1.
func formatLiteral(toks []token, open int) int {
	end := matchParen(toks, open)
	depth, arg := 0, 0
	var lit []int
	for k := open + 1; k < end; k++ {
		switch toks[k].text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				arg++
			}
		}
		if arg == 1 && depth == 0 && toks[k].kind == tkString {
			lit = append(lit, k)
		}
	}
	if len(lit) == 1 {
		return lit[0]
	}
	return -1
}

// splitArgs splits the arguments of the call whose "(" is at toks[open],
// rewriting each, and returns them with the index of the closing ")".
func splitArgs(toks []token, open int) ([]string, int) {
	end := matchParen(toks, open)
	if end <= open {
		return nil, open
	}
	var args []string
	depth, start := 0, open+1
	for k := open + 1; k < end; k++ {
		switch toks[k].text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				args = append(args, strings.TrimSpace(render(rewriteExpr(toks[start:k]))))
				start = k + 1
			}
		}
	}
	if last := strings.TrimSpace(render(rewriteExpr(toks[start:end]))); last != "" || len(args) > 0 {
		args = append(args, last)
	}
	return args, end
}

// constructor renders Spark's array(…), map(k, v, …), named_struct(n, v, …)
// and struct(…) with DuckDB's list_value, map, struct_pack.
func constructor(fn string, args []string) string {
	switch fn {
	case "array":
		return "list_value(" + strings.Join(args, ", ") + ")"
	case "map":
		var ks, vs []string
		for k := 0; k+1 < len(args); k += 2 {
			ks, vs = append(ks, args[k]), append(vs, args[k+1])
		}
		return "map([" + strings.Join(ks, ", ") + "], [" + strings.Join(vs, ", ") + "])"
	case "named_struct":
		var fields []string
		for k := 0; k+1 < len(args); k += 2 {
			name := strings.Trim(args[k], "'")
			fields = append(fields, sqlIdent(name)+" := "+args[k+1])
		}
		return "struct_pack(" + strings.Join(fields, ", ") + ")"
	}
	fields := make([]string, len(args))
	for k, a := range args {
		fields[k] = sqlIdent(fmt.Sprintf("col%d", k+1)) + " := " + a
	}
	return "struct_pack(" + strings.Join(fields, ", ") + ")"
}

// lateralView rewrites Hive's LATERAL VIEW [OUTER] explode(expr) alias AS
// col[, col2] (toks[view] is VIEW) into a DuckDB lateral join; it returns
// the replacement and the index of the last token it consumed.
func lateralView(toks []token, view int) (string, int, bool) {
	skip := func(k int) int { return nextSig(toks, k) }
	k := skip(view + 1)
	outer := false
	if k < len(toks) && toks[k].is("OUTER") {
		outer = true
		k = skip(k + 1)
	}
	if k >= len(toks) || !toks[k].is("explode", "posexplode", "inline") {
		return "", 0, false
	}
	fn := strings.ToLower(toks[k].text)
	open := skip(k + 1)
	if open >= len(toks) || toks[open].text != "(" {
		return "", 0, false
	}
	args, end := splitArgs(toks, open)
	if len(args) != 1 {
		return "", 0, false
	}
	k = skip(end + 1)
	if k >= len(toks) || (toks[k].kind != tkIdent && toks[k].kind != tkQuoted) || toks[k].is("AS") {
		return "", 0, false
	}
	alias := toks[k].text
	k = skip(k + 1)
	var cols []string
	last := k - 1
	if k < len(toks) && toks[k].is("AS") {
		k = skip(k + 1)
		for k < len(toks) && (toks[k].kind == tkIdent || toks[k].kind == tkQuoted) {
			cols = append(cols, toks[k].text)
			last = k
			n := skip(k + 1)
			if n < len(toks) && toks[n].text == "," {
				if m := skip(n + 1); m < len(toks) && (toks[m].kind == tkIdent || toks[m].kind == tkQuoted) &&
					(skip(m+1) >= len(toks) || !toks[skip(m+1)].is("=", "(", ".")) {
					k = m
					continue
				}
			}
			break
		}
	}
	if len(cols) == 0 {
		cols = []string{"col"}
	}
	var sel string
	switch {
	case fn == "posexplode" && len(cols) == 2:
		sel = "generate_subscripts(" + args[0] + ", 1) - 1 AS " + cols[0] + ", unnest(" + args[0] + ") AS " + cols[1]
	case len(cols) == 2: // explode(map) AS k, v
		sel = "unnest(map_keys(" + args[0] + ")) AS " + cols[0] + ", unnest(map_values(" + args[0] + ")) AS " + cols[1]
	default:
		sel = "unnest(" + args[0] + ") AS " + cols[0]
	}
	join := ", LATERAL (SELECT " + sel + ") " + alias
	if outer {
		join = " LEFT JOIN LATERAL (SELECT " + sel + ") " + alias + " ON true"
	}
	return join, last, true
}

// clauseEnd returns the index of the token that ends the clause starting
// at i: the next SORT/ORDER/LIMIT/CLUSTER/WINDOW keyword, a closing
// parenthesis of the enclosing level, a semicolon or the end.
func clauseEnd(toks []token, i int) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		switch {
		case toks[k].text == "(":
			depth++
		case toks[k].text == ")":
			if depth == 0 {
				return k
			}
			depth--
		case depth == 0 && (toks[k].is("SORT", "ORDER", "LIMIT", "CLUSTER", "WINDOW", "UNION", "EXCEPT", "INTERSECT") || toks[k].text == ";"):
			return k
		}
	}
	return len(toks)
}
