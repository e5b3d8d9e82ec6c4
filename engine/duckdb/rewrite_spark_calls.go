package duckdb

import (
	"fmt"
	"strconv"
	"strings"
)

// Spark call forms DuckDB writes otherwise.

// comparisonOps precede ANY/SOME as subquery quantifiers, not calls.
const comparisonOps = " = == != <> < > <= >= "

// ruleBoolAggregate: Spark's any, some and every aggregates (DuckDB's
// parser takes ANY and SOME for quantifiers).
func ruleBoolAggregate(c *exprCursor) bool {
	if !c.call() || !c.t.is("any", "some", "every") || strings.Contains(comparisonOps, " "+c.prev.text+" ") {
		return false
	}
	fn := "bool_or"
	if c.t.is("every") {
		fn = "bool_and"
	}
	return c.emit(tkIdent, fn, c.i)
}

// ruleRankArguments: Spark lets rank, dense_rank and percent_rank name
// their ordering again as arguments; the window's ORDER BY is what counts.
func ruleRankArguments(c *exprCursor) bool {
	if !c.call() || !c.t.is("rank", "dense_rank", "percent_rank") {
		return false
	}
	end := matchParen(c.toks, c.n)
	if end <= c.n+1 || end+1 >= len(c.toks) {
		return false
	}
	if next := c.sigFrom(end + 1); next >= len(c.toks) || !c.toks[next].is("OVER") {
		return false
	}
	return c.emit(tkIdent, strings.ToLower(c.t.text)+"()", end)
}

// dateLiteralFunctions take a date or timestamp; Spark casts a string
// argument to one, DuckDB asks which.
const dateLiteralFunctions = " day dayofmonth dayofyear month year quarter hour minute second weekofyear last_day dayofweek weekday monthname "

// ruleDateOfString casts a string-literal first argument of a date part
// function to a timestamp, and gives dayofweek, weekday and monthname
// Spark's numbering and names.
func ruleDateOfString(c *exprCursor) bool {
	name := strings.ToLower(c.t.text)
	if !c.call() || !strings.Contains(dateLiteralFunctions, " "+name+" ") {
		return false
	}
	switch name {
	case "dayofweek", "weekday", "monthname":
		c.out = append(c.out, token{kind: tkIdent, text: fnCatalog + ".main.spark_" + name})
	default:
		c.out = append(c.out, c.t)
	}
	arg := c.sigFrom(c.n + 1)
	if arg < len(c.toks) && c.toks[arg].kind == tkString {
		if after := c.sigFrom(arg + 1); after < len(c.toks) && (c.toks[after].text == ")" || c.toks[after].text == ",") {
			c.toks[arg] = token{kind: tkPunct, text: "CAST(" + c.toks[arg].text + " AS TIMESTAMP)"}
		}
	}
	return true
}

// ruleBinaryLiteral: Spark's X'537061726B' (also with a space) is a binary
// literal.
func ruleBinaryLiteral(c *exprCursor) bool {
	if c.t.kind != tkIdent || !c.t.is("x") || c.prev.text == "." || c.n >= len(c.toks) || c.next.kind != tkString {
		return false
	}
	for _, r := range c.next.val {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	hex := c.next.val
	if len(hex)%2 == 1 {
		hex = "0" + hex
	}
	return c.emit(tkPunct, "from_hex("+sqlString(hex)+")", c.n)
}

// ruleBareValues: Spark's VALUES 1, 2, 3 (no parentheses) is one column,
// a row per value.
func ruleBareValues(c *exprCursor) bool {
	if !c.t.is("VALUES") || !c.prev.is("FROM", "JOIN", ",", "(") || c.next.text == "(" || c.n >= len(c.toks) {
		return false
	}
	var rows []string
	k := c.n
	for k < len(c.toks) {
		v := c.toks[k]
		if v.kind != tkString && v.kind != tkNumber && !v.is("NULL", "TRUE", "FALSE") {
			break
		}
		rows = append(rows, "("+v.text+")")
		k = c.sigFrom(k + 1)
		if k >= len(c.toks) || c.toks[k].text != "," {
			break
		}
		k = c.sigFrom(k + 1)
	}
	if len(rows) == 0 {
		return false
	}
	last := c.n
	for i, seen := c.n, 0; i < len(c.toks) && seen < len(rows); i++ {
		if t := c.toks[i]; t.kind == tkString || t.kind == tkNumber || t.is("NULL", "TRUE", "FALSE") {
			seen++
			last = i
		}
	}
	// Spark names the column col1; a table alias may follow.
	values := "(VALUES " + strings.Join(rows, ", ") + ")"
	if next := c.sigFrom(last + 1); next >= len(c.toks) || !(c.toks[next].is("AS") || c.toks[next].kind == tkIdent && !isClauseWord(c.toks[next])) {
		values += " AS tab(col1)"
	}
	return c.emit(tkPunct, values, last)
}

func isClauseWord(t token) bool {
	return t.is("WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT", "INTERSECT", "JOIN", "LEFT", "RIGHT", "INNER", "CROSS", "FULL", "ON", "WINDOW", "QUALIFY")
}

// rulePositionCall: Spark's position(substr, str[, pos]) (the comma form;
// POSITION(substr IN str) is DuckDB's own).
func rulePositionCall(c *exprCursor) bool {
	if !c.call() || !c.t.is("position") {
		return false
	}
	end := matchParen(c.toks, c.n)
	depth := 0
	for k := c.n + 1; k < end; k++ {
		switch c.toks[k].text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				return c.emit(tkIdent, fnCatalog+".main.spark_position", c.i)
			}
		}
	}
	return false
}

// ruleTypedCall: Spark's TIMESTAMP('…') and DATE('…') are casts.
func ruleTypedCall(c *exprCursor) bool {
	if !c.call() || !c.t.is("TIMESTAMP", "DATE") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 1 {
		return false
	}
	if lit := c.sigFrom(c.n + 1); c.t.is("TIMESTAMP") && c.toks[lit].kind == tkString && hasZone(c.toks[lit].val) {
		// An instant ('…Z', '…+02:00'): the session's local time of it.
		return c.emit(tkPunct, "timezone("+sessionTZ+", CAST("+args[0]+" AS TIMESTAMPTZ))", end)
	}
	return c.emit(tkPunct, "CAST("+args[0]+" AS "+strings.ToUpper(c.t.text)+")", end)
}

// hasZone reports whether a timestamp literal names its zone or offset.
func hasZone(v string) bool {
	v = strings.TrimSpace(v)
	if strings.HasSuffix(v, "Z") {
		return true
	}
	if i := strings.LastIndexAny(v, "+-"); i > 10 && len(v)-i == 6 && v[i+3] == ':' {
		return true
	}
	return false
}

// ruleNTZLiteral: Spark's timestamp_ntz'…' and timestamp_ltz'…' literals.
func ruleNTZLiteral(c *exprCursor) bool {
	if c.t.kind != tkIdent || !c.t.is("timestamp_ntz", "timestamp_ltz") || c.next.kind != tkString {
		return false
	}
	return c.emit(tkPunct, "TIMESTAMP "+c.next.text, c.n)
}

// ruleLikeEscape: Spark's LIKE and ILIKE escape with \ unless told
// otherwise; DuckDB's have no escape character by default.
func ruleLikeEscape(c *exprCursor) bool {
	if !c.t.is("LIKE", "ILIKE") || c.next.text == "(" || c.prev.is("SIMILAR") {
		return false
	}
	end := operandEnd(c.toks, c.n)
	if after := c.sigFrom(end + 1); after < len(c.toks) && c.toks[after].is("ESCAPE") {
		return false
	}
	c.out = append(c.out, c.t)
	rest := strings.TrimSpace(render(rewriteExpr(c.toks[c.n : end+1])))
	return c.emit(tkPunct, " "+rest+" ESCAPE '\\'", end)
}

// ruleOverlay: overlay(s PLACING r FROM p [FOR l]).
func ruleOverlay(c *exprCursor) bool {
	if !c.call() || !c.t.is("overlay") {
		return false
	}
	end := matchParen(c.toks, c.n)
	var pieces []string
	depth, start := 0, c.n+1
	for k := c.n + 1; k <= end; k++ {
		t := c.toks[k]
		switch {
		case t.text == "(":
			depth++
		case t.text == ")" && k < end:
			depth--
		case depth == 0 && (k == end || t.is("PLACING", "FROM", "FOR")):
			pieces = append(pieces, strings.TrimSpace(render(rewriteExpr(c.toks[start:k]))))
			start = k + 1
		}
	}
	if len(pieces) < 3 || len(pieces) > 4 {
		return false
	}
	name := "spark_overlay"
	if argKind(c.toks, c.n) == kindBinary {
		name = "spark_bytes_overlay"
	}
	return c.emit(tkPunct, fnCatalog+".main."+name+"("+strings.Join(pieces, ", ")+")", end)
}

// ruleDecodeSearch: Spark's decode(expr, search, result [, …] [, default])
// compares as <=> does (NULL matches NULL).
func ruleDecodeSearch(c *exprCursor) bool {
	if !c.call() || !c.t.is("decode") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) < 3 {
		return false
	}
	var b strings.Builder
	b.WriteString("(CASE")
	for i := 1; i+1 < len(args); i += 2 {
		b.WriteString(" WHEN (" + args[0] + ") IS NOT DISTINCT FROM (" + args[i] + ") THEN " + args[i+1])
	}
	if len(args)%2 == 0 {
		b.WriteString(" ELSE " + args[len(args)-1])
	}
	b.WriteString(" END)")
	return c.emit(tkPunct, b.String(), end)
}

// ruleBang: Spark's ! is NOT.
func ruleBang(c *exprCursor) bool {
	return c.t.kind == tkPunct && c.t.text == "!" && c.emit(tkIdent, "NOT ", c.i)
}

// ruleMinInteger: Spark reads -2147483648 as an int (and
// -9223372036854775808 as a bigint); DuckDB types the unsigned literal
// first, one size up.
func ruleMinInteger(c *exprCursor) bool {
	if c.t.text != "-" || c.next.kind != tkNumber || (c.prev.kind == tkNumber || c.prev.kind == tkIdent && !c.prev.is("SELECT", "AND", "OR", "WHEN", "THEN", "ELSE", "BY") || c.prev.text == ")") {
		return false
	}
	switch c.next.text {
	case "2147483648":
		return c.emit(tkPunct, "CAST(-2147483648 AS INTEGER)", c.n)
	case "9223372036854775808":
		return c.emit(tkPunct, "CAST(-9223372036854775808 AS BIGINT)", c.n)
	}
	return false
}

// namedArg drops Spark's "name =>" before a generator's argument.
func namedArg(a string) string {
	if _, rest, ok := strings.Cut(a, "=>"); ok && !strings.ContainsAny(strings.TrimSpace(a[:strings.Index(a, "=>")]), " ('\"") {
		return strings.TrimSpace(rest)
	}
	return a
}

// ruleGenerator: explode and inline (and their _outer forms) as tables
// (FROM explode(…)) and inline in a select list.
func ruleGenerator(c *exprCursor) bool {
	if !c.call() || !c.t.is("explode", "explode_outer", "inline", "inline_outer") {
		return false
	}
	inline := c.t.is("inline", "inline_outer")
	table := c.prev.is("FROM", "JOIN")
	if !table && !inline {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 1 {
		return false
	}
	arg := namedArg(args[0])
	expr := "unnest(" + arg + ")"
	if inline {
		expr = "unnest(" + arg + ", recursive := true)"
	}
	if table {
		if inline {
			return c.emit(tkPunct, "(SELECT "+expr+")", end)
		}
		return c.emit(tkPunct, "(SELECT "+expr+" AS col)", end)
	}
	return c.emit(tkPunct, expr, end)
}

// ruleElt: elt(n, a, b, …) is the n-th of a, b, ….
func ruleElt(c *exprCursor) bool {
	if !c.call() || !c.t.is("elt") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) < 2 {
		return false
	}
	var b strings.Builder
	b.WriteString("(CASE " + args[0])
	for i, a := range args[1:] {
		b.WriteString(" WHEN " + strconv.Itoa(i+1) + " THEN CAST(" + a + " AS VARCHAR)")
	}
	b.WriteString(" END)")
	return c.emit(tkPunct, b.String(), end)
}

// ruleSeconds: Spark's date_part('seconds', x) and EXTRACT(SECOND FROM x)
// keep the fraction, as DECIMAL(8, 6); its day of the week counts Sunday
// as 1 (DuckDB's dow as 0), its ISO day of the week and week-based year
// are DuckDB's isodow and isoyear.
func ruleSeconds(c *exprCursor) bool {
	if !c.call() || !c.t.is("date_part", "datepart", "extract") {
		return false
	}
	end := matchParen(c.toks, c.n)
	f := c.sigFrom(c.n + 1)
	if f >= end {
		return false
	}
	field := strings.ToLower(c.toks[f].name())
	if c.toks[f].kind == tkString {
		field = strings.ToLower(c.toks[f].val)
	}
	form := map[string]string{"dow": "(date_part('dow', %s) + 1)", "dayofweek": "(date_part('dow', %s) + 1)",
		"dow_iso": "date_part('isodow', %s)", "dayofweek_iso": "date_part('isodow', %s)", "yearofweek": "date_part('isoyear', %s)"}[field]
	if form == "" && field != "s" && field != "sec" && field != "secs" && field != "second" && field != "seconds" {
		return false
	}
	sep := c.sigFrom(f + 1)
	if sep >= end || !(c.toks[sep].text == "," || c.toks[sep].is("FROM")) {
		return false
	}
	src := strings.TrimSpace(render(rewriteExpr(c.toks[sep+1 : end])))
	if form != "" {
		return c.emit(tkPunct, fmt.Sprintf(form, src), end)
	}
	return c.emit(tkPunct, "CAST(date_part('microseconds', "+src+") / 1000000 AS DECIMAL(8, 6))", end)
}

// ruleRoundScale: ceil, floor and bround with a literal scale: a decimal of
// that scale, or a whole number for a negative one.
func ruleRoundScale(c *exprCursor) bool {
	if !c.call() || !c.t.is("ceil", "ceiling", "floor", "bround") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 2 {
		return false
	}
	d, err := strconv.Atoi(strings.ReplaceAll(args[1], " ", ""))
	if err != nil || d < -18 || d > 18 {
		return false
	}
	fn := map[string]string{"ceil": "ceil", "ceiling": "ceil", "floor": "floor", "bround": "round_even"}[strings.ToLower(c.t.text)]
	p := "1" + strings.Repeat("0", abs(d))
	if fn == "round_even" {
		if d >= 0 {
			return c.emit(tkPunct, "CAST(round_even("+args[0]+", "+strconv.Itoa(d)+") AS DECIMAL(38, "+strconv.Itoa(d)+"))", end)
		}
		return c.emit(tkPunct, "CAST(round_even(("+args[0]+") / "+p+", 0) * "+p+" AS BIGINT)", end)
	}
	if d >= 0 {
		return c.emit(tkPunct, "CAST("+fn+"(("+args[0]+") * "+p+") / "+p+" AS DECIMAL(38, "+strconv.Itoa(d)+"))", end)
	}
	return c.emit(tkPunct, "CAST("+fn+"(("+args[0]+") / "+p+") * "+p+" AS BIGINT)", end)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// rulePosexplode: posexplode(array) is its positions (from 0) and
// elements, as a table or in a select list.
func rulePosexplode(c *exprCursor) bool {
	if !c.call() || !c.t.is("posexplode", "posexplode_outer") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 1 {
		return false
	}
	a := namedArg(args[0])
	cols := "unnest(generate_series(0, len(" + a + ") - 1)) AS pos, unnest(" + a + ") AS col"
	if c.prev.is("FROM", "JOIN") {
		return c.emit(tkPunct, "(SELECT "+cols+")", end)
	}
	return c.emit(tkPunct, cols, end)
}
