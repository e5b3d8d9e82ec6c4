package duckdb

import (
	"strings"
)

// exprRule rewrites the token under the cursor when it applies, and says
// whether it did.
type exprRule struct {
	name  string
	apply func(c *exprCursor) bool
}

// exprRules are the expression forms the local engine rewrites, in the
// order they are tried.
func exprRules() []exprRule {
	return []exprRule{
		{"range(n) as a table", ruleRange},
		{"X'…' binary literals", ruleBinaryLiteral},
		{"VALUES without parentheses", ruleBareValues},
		{"any/some/every aggregates", ruleBoolAggregate},
		{"rank(x) OVER", ruleRankArguments},
		{"date parts of strings", ruleDateOfString},
		{"position(substr, str)", rulePositionCall},
		{"TIMESTAMP('…'), DATE('…')", ruleTypedCall},
		{"timestamp_ntz'…'", ruleNTZLiteral},
		{"interval literals", ruleInterval},
		{"overlay(… PLACING …)", ruleOverlay},
		{"decode(expr, search, result, …)", ruleDecodeSearch},
		{"! (not)", ruleBang},
		{"-2147483648 as an int", ruleMinInteger},
		{"explode/inline as tables", ruleGenerator},
		{"elt(n, …)", ruleElt},
		{"higher-order functions", ruleHigherOrder},
		{"seconds with their fraction", ruleSeconds},
		{"ceil/floor/bround to a scale", ruleRoundScale},
		{"posexplode", rulePosexplode},
		{"number formats", ruleNumberFormat},
		{"LIKE's escape", ruleLikeEscape},
		{"substr(s, 0, n)", ruleSubstring},
		{"substr(s FROM n)", func(c *exprCursor) bool { return c.call() && c.t.is("substr") && c.emit(tkIdent, "substring", c.i) }},
		{"current_user()", ruleCurrentUser},
		{"array/map/struct constructors", ruleConstructor},
		{"string functions of binaries", ruleByteForm},
		{"forms by argument kind", ruleArgForm},
		{"ordered listagg", ruleOrderedListagg},
		{"mode(x, deterministic)", ruleModeDeterministic},
		{"concat_ws(sep)", ruleConcatWsAlone},
		{"concat of a NULL", ruleConcatNulls},
		{"collect_list over a window", ruleWindowedCollect},
		{"arrays_zip", ruleArraysZip},
		{"hash, xxhash64", ruleSparkHash},
		{"grouping_id()", ruleGroupingID},
		{"json_tuple in a select list", ruleJSONTuple},
		{"stack in a select list", ruleStack},
		{"percentile_disc as a double", rulePercentileDisc},
		{"variant_get", ruleVariantGet},
		{"from_json with a schema", ruleFromJSON},
		{"variant_explode as a table", ruleVariantExplode},
		{">>> (shiftrightunsigned)", ruleShiftUnsigned},
		{"Spark functions", ruleSparkFunction},
		{"current_timestamp()", ruleNiladic},
		{"function-style casts", ruleCast},
		{"DISTRIBUTE BY", func(c *exprCursor) bool {
			if !c.t.is("DISTRIBUTE") || !c.next.is("BY") {
				return false
			}
			c.i = clauseEnd(c.toks, c.n+1) - 1 // distribution does not matter on one engine
			return true
		}},
		{"SORT/CLUSTER BY", func(c *exprCursor) bool {
			return c.t.is("SORT", "CLUSTER") && c.next.is("BY") && !c.prev.is("WITHIN") && c.emit(tkIdent, "ORDER", c.i)
		}},
		{"LATERAL VIEW", func(c *exprCursor) bool {
			if !c.t.is("LATERAL") || !c.next.is("VIEW") {
				return false
			}
			repl, end, ok := lateralView(c.toks, c.n)
			return ok && c.emit(tkPunct, repl, end)
		}},
		{"default. → main.", func(c *exprCursor) bool {
			// Spark's default database, written plain or backquoted
			// (`default`.`t`, as the Simba drivers qualify tables).
			isDefault := c.t.kind == tkIdent && strings.EqualFold(c.t.text, "default") || c.t.kind == tkQuoted && strings.EqualFold(c.t.val, "default")
			return isDefault && c.next.text == "." && c.prev.text != "." && c.emit(tkIdent, "main", c.i)
		}},
		{"parquet.`path`", ruleFileReference},
		{"<=>", func(c *exprCursor) bool { return c.t.is("<=>") && c.emit(tkIdent, "IS NOT DISTINCT FROM", c.i) }},
		{"/, % and DIV by zero (ANSI)", ruleDivisor},
		{"RLIKE", ruleRlike},
		{"^ (exclusive or)", ruleXor},
	}
}

func ruleRange(c *exprCursor) bool {
	if !c.call() || !strings.EqualFold(c.t.text, "range") || !c.prev.is("FROM", "JOIN", ",") {
		return false
	}
	end := matchParen(c.toks, c.n)
	return c.emit(tkPunct, "(SELECT range AS id FROM range"+render(c.toks[c.n:end+1])+")", end)
}

func ruleCurrentUser(c *exprCursor) bool {
	t := c.t
	if t.kind != tkIdent || c.prev.text == "." ||
		!(strings.EqualFold(t.text, "current_user") || strings.EqualFold(t.text, "session_user") || strings.EqualFold(t.text, "user") && c.next.text == "(") {
		return false
	}
	last := c.i
	if c.next.text == "(" {
		if e := c.sigFrom(c.n + 1); e < len(c.toks) && c.toks[e].text == ")" {
			last = e
		}
	}
	return c.emit(tkPunct, "getvariable('kitsune_user')", last)
}

func ruleConstructor(c *exprCursor) bool {
	if !c.call() || !c.t.is("array", "map", "named_struct", "struct") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	return c.emit(tkPunct, constructor(strings.ToLower(c.t.text), args), end)
}

func ruleSparkFunction(c *exprCursor) bool {
	if !c.call() || !isSparkFunction(c.t.text) {
		return false
	}
	if takesJavaFormat(c.t.text) {
		convertFormatArg(c.toks, c.n, parsesJavaFormat(c.t.text))
	}
	name := strings.ToLower(c.t.text)
	if (name == "percentile_approx" || name == "approx_percentile") && secondArgIsArray(c.toks, c.n) {
		name = "percentile_approx_list"
	}
	return c.emit(tkIdent, fnCatalog+".main.spark_"+name, c.i)
}

// secondArgIsArray reports whether the call whose "(" is at toks[open]
// has an array(…) or […] second argument.
func secondArgIsArray(toks []token, open int) bool {
	depth := 0
	for k := open + 1; k < len(toks); k++ {
		switch toks[k].text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				for j := k + 1; j < len(toks); j++ {
					if toks[j].significant() {
						return toks[j].is("array") || toks[j].text == "["
					}
				}
				return false
			}
		}
		if depth < 0 {
			return false
		}
	}
	return false
}

// ruleNiladic drops the parentheses Spark allows (and tools send) after
// current_timestamp and friends; DuckDB does not take them.
func ruleNiladic(c *exprCursor) bool {
	if !c.call() || !c.t.is("current_timestamp", "current_date", "localtimestamp") {
		return false
	}
	e := c.sigFrom(c.n + 1)
	if e >= len(c.toks) || c.toks[e].text != ")" {
		return false
	}
	c.out = append(c.out, c.t)
	c.i = e
	return true
}

// ruleCast: Spark's function-style casts, int(x), string(x), …
func ruleCast(c *exprCursor) bool {
	if !c.call() || castType(c.t.text) == "" {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	return len(args) == 1 && c.emit(tkPunct, "CAST("+args[0]+" AS "+castType(c.t.text)+")", end)
}

func ruleFileReference(c *exprCursor) bool {
	if c.t.kind != tkIdent || c.next.text != "." || c.prev.text == "." || !c.t.is("parquet", "csv", "json", "orc") {
		return false
	}
	p := c.sigFrom(c.n + 1)
	return p < len(c.toks) && c.toks[p].kind == tkQuoted && c.emit(tkPunct, readerCall(strings.ToLower(c.t.text), c.toks[p].val, nil), p)
}

// ruleRlike turns a [NOT] RLIKE b into [NOT] regexp_matches(a, b).
func ruleRlike(c *exprCursor) bool {
	if !c.t.is("RLIKE", "REGEXP") || c.next.text == "(" {
		return false
	}
	neg := c.prev.is("NOT")
	if neg {
		for k := len(c.out) - 1; k >= 0; k-- {
			if c.out[k].significant() {
				c.out = c.out[:k]
				break
			}
		}
	}
	left, rest := takeOperandBack(c.out)
	rend := operandEnd(c.toks, c.n)
	fn := "regexp_matches("
	if neg {
		fn = "NOT regexp_matches("
	}
	c.out = rest
	return c.emit(tkPunct, fn+strings.TrimSpace(render(left))+", "+strings.TrimSpace(render(rewriteExpr(c.toks[c.n:rend+1])))+")", rend)
}
