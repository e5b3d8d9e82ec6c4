package duckdb

import (
	"strconv"
	"strings"
)

// argForm is the Spark macro (or DuckDB function) of a call's form for
// its first argument's kind, or "".
func argForm(name string, kind argumentKind, toks []token, open int) string {
	switch kind {
	case kindMap:
		if name == "size" || name == "cardinality" {
			return fnCatalog + ".main.spark_map_size"
		}
	case kindArray:
		switch name {
		case "cardinality":
			return fnCatalog + ".main.spark_size"
		case "reverse":
			return "list_reverse"
		}
	case kindInterval:
		switch name {
		case "abs", "sign", "width_bucket":
			return fnCatalog + ".main.spark_interval_" + name
		case "signum":
			return fnCatalog + ".main.spark_interval_sign"
		}
	case kindDate:
		// A date and an interval of days, months or years is a date in
		// Spark (one with hours is refused, see callRefusal).
		if (name == "try_add" || name == "try_subtract" || name == "sequence") && intervalArgument(toks, open) {
			return fnCatalog + ".main.spark_date_" + name
		}
	}
	return ""
}

// intervalArgument reports whether a later argument of the call whose "("
// is at toks[open] is an interval literal.
func intervalArgument(toks []token, open int) bool {
	depth := 0
	for k := open + 1; k < len(toks); k++ {
		switch {
		case toks[k].text == "(":
			depth++
		case toks[k].text == ")":
			if depth == 0 {
				return false
			}
			depth--
		case toks[k].text == "," && depth == 0:
			if n := nextSig(toks, k+1); n < len(toks) && toks[n].is("INTERVAL") {
				return true
			}
		}
	}
	return false
}

func ruleArgForm(c *exprCursor) bool {
	if !c.call() || !c.t.is("size", "cardinality", "reverse", "abs", "sign", "signum", "width_bucket", "try_add", "try_subtract", "sequence") {
		return false
	}
	name := strings.ToLower(c.t.text)
	form := argForm(name, argKind(c.toks, c.n), c.toks, c.n)
	return form != "" && c.emit(tkIdent, form, c.i)
}

// ruleOrderedListagg: listagg/string_agg(DISTINCT x[, sep]) and
// listagg(x[, sep]) WITHIN GROUP (ORDER BY …) are DuckDB's ordered
// string_agg (DISTINCT in the order of the values: Spark does not promise
// one).
func ruleOrderedListagg(c *exprCursor) bool {
	if !c.call() || !c.t.is("listagg", "string_agg") {
		return false
	}
	end := matchParen(c.toks, c.n)
	first := nextSig(c.toks, c.n+1)
	distinct := first < end && c.toks[first].is("DISTINCT")
	within := nextSig(c.toks, end+1)
	grouped := within < len(c.toks) && c.toks[within].is("WITHIN")
	if !distinct && !grouped {
		return false
	}
	from := c.n
	if distinct {
		from = first
	}
	args, _ := splitArgs(append(append([]token{{kind: tkPunct, text: "("}}, c.toks[from+1:end]...), token{kind: tkPunct, text: ")"}), 0)
	if len(args) == 0 || len(args) > 2 {
		return false
	}
	sep := "''"
	if len(args) == 2 {
		sep = args[1]
	}
	order, last := "", end
	if distinct {
		order = " ORDER BY " + args[0]
	}
	if grouped {
		open := nextSig(c.toks, nextSig(c.toks, within+1)+1)
		if open >= len(c.toks) || c.toks[open].text != "(" {
			return false
		}
		last = matchParen(c.toks, open)
		order = " " + strings.TrimSpace(render(rewriteExpr(c.toks[open+1:last])))
	}
	head := "string_agg("
	if distinct {
		head += "DISTINCT "
	}
	return c.emit(tkPunct, head+args[0]+", "+sep+order+")", last)
}

// ruleModeDeterministic: mode(x, true) is the smallest of the most
// frequent values.
func ruleModeDeterministic(c *exprCursor) bool {
	if !c.call() || !c.t.is("mode") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) != 2 {
		return false
	}
	h := "histogram(" + args[0] + ")"
	pick := "list_min(list_transform(list_filter(map_entries(" + h + "), e -> e.value = list_max(map_values(" + h + "))), e -> e.key))"
	return c.emit(tkPunct, "(CASE WHEN "+args[1]+" THEN "+pick+" ELSE mode("+args[0]+") END)", end)
}

// ruleConcatWsAlone: concat_ws(sep) with nothing to join is ”.
func ruleConcatWsAlone(c *exprCursor) bool {
	if !c.call() || !c.t.is("concat_ws") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	return len(args) == 1 && c.emit(tkPunct, "(CASE WHEN ("+args[0]+") IS NOT NULL THEN '' END)", end)
}

// ruleConcatNulls: Spark's concat is NULL when an argument is NULL;
// DuckDB's skips NULL arguments.
func ruleConcatNulls(c *exprCursor) bool {
	if !c.call() || !c.t.is("concat") || (c.i > 0 && c.toks[c.i-1].text == ".") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) == 0 {
		return false
	}
	checks := make([]string, len(args))
	for i, a := range args {
		checks[i] = "(" + a + ") IS NULL"
	}
	return c.emit(tkPunct, "(CASE WHEN "+strings.Join(checks, " OR ")+" THEN NULL ELSE concat("+strings.Join(args, ", ")+") END)", end)
}

// ruleWindowedCollect: collect_list (array_agg) and collect_set over a
// window, which their macros cannot be (DuckDB: window function macros
// must be functions): DuckDB's list over the window, without NULLs.
func ruleWindowedCollect(c *exprCursor) bool {
	if !c.call() || !c.t.is("collect_list", "array_agg", "collect_set") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	over := nextSig(c.toks, end+1)
	if len(args) != 1 || over >= len(c.toks) || !c.toks[over].is("OVER") {
		return false
	}
	w := nextSig(c.toks, over+1)
	switch {
	case w < len(c.toks) && c.toks[w].text == "(":
		w = matchParen(c.toks, w)
	case w < len(c.toks) && c.toks[w].kind == tkIdent:
	default:
		return false
	}
	window := strings.TrimSpace(render(rewriteExpr(c.toks[over : w+1])))
	list := "list(" + args[0] + ") " + window
	if c.t.is("collect_set") {
		return c.emit(tkPunct, "coalesce(list_sort(list_distinct("+list+")), [])", w)
	}
	return c.emit(tkPunct, "coalesce(list_filter("+list+", kitsune_e -> kitsune_e IS NOT NULL), [])", w)
}

// ruleArraysZip: arrays_zip(a, b, …) is a list of structs whose fields
// are named after the arguments that are columns, by position otherwise.
func ruleArraysZip(c *exprCursor) bool {
	if !c.call() || !c.t.is("arrays_zip") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	if len(args) == 0 {
		return false
	}
	var lens, fields []string
	for i, a := range args {
		name := strconv.Itoa(i)
		if toks := lex(a); len(toks) == 1 && toks[0].kind == tkIdent {
			name = toks[0].text
		}
		lens = append(lens, "len("+a+")")
		fields = append(fields, `"`+name+`" := list_extract(`+a+", kitsune_i + 1)")
	}
	n := lens[0]
	if len(lens) > 1 {
		n = "greatest(" + strings.Join(lens, ", ") + ")"
	}
	return c.emit(tkPunct, "list_transform(range("+n+"), kitsune_i -> struct_pack("+strings.Join(fields, ", ")+"))", end)
}

// ruleSubstring: Spark's substr/substring(s, pos[, len]) reads a pos of 0
// as 1 (DuckDB's 0 is before the first character); the SQL form with FROM
// and FOR is left to DuckDB.
func ruleSubstring(c *exprCursor) bool {
	if !c.call() || !c.t.is("substr", "substring") {
		return false
	}
	if argKind(c.toks, c.n) == kindBinary {
		return c.emit(tkIdent, fnCatalog+".main.spark_bytes_substr", c.i)
	}
	end := matchParen(c.toks, c.n)
	for k := c.n + 1; k < end; k++ {
		if c.toks[k].is("FROM", "FOR") {
			return false
		}
	}
	return c.emit(tkIdent, fnCatalog+".main.spark_substring", c.i)
}

// ruleSparkHash: hash and xxhash64 are Go functions of any number of
// values (udf_hash.go).
func ruleSparkHash(c *exprCursor) bool {
	return c.call() && c.t.is("hash", "xxhash64") && c.emit(tkIdent, "kitsune_"+strings.ToLower(c.t.text), c.i)
}

// ruleGroupingID: Spark's grouping_id() with no arguments is the grouping
// id of every GROUP BY column (those of CUBE, ROLLUP or GROUPING SETS,
// in their order).
func ruleGroupingID(c *exprCursor) bool {
	if !c.call() || !c.t.is("grouping_id") {
		return false
	}
	end := matchParen(c.toks, c.n)
	if nextSig(c.toks, c.n+1) != end {
		return false
	}
	cols := groupByColumns(c.toks, querySelect(c.toks, c.i))
	return len(cols) > 0 && c.emit(tkPunct, "grouping_id("+strings.Join(cols, ", ")+")", end)
}

// querySelect is the SELECT of the query that toks[k] stands in: backward,
// out of the calls and groups around it, not into subqueries before it.
func querySelect(toks []token, k int) int {
	depth, level := 0, 0
	for ; k >= 0; k-- {
		switch t := toks[k]; {
		case t.text == ")":
			depth++
		case t.text == "(":
			if depth--; depth < level {
				level = depth
			}
		case t.is("SELECT") && depth == level:
			return k
		}
	}
	return -1
}

// groupByColumns finds the GROUP BY of the query whose SELECT is at
// toks[k] and lists its columns, each once.
func groupByColumns(toks []token, k int) []string {
	if k < 0 {
		return nil
	}
	k++
	depth := 0
	for ; k < len(toks); k++ {
		switch t := toks[k]; {
		case t.text == "(":
			depth++
		case t.text == ")":
			if depth--; depth < 0 {
				return nil
			}
		case depth == 0 && t.is("GROUP"):
			if by := nextSig(toks, k+1); by < len(toks) && toks[by].is("BY") {
				return groupItems(toks, nextSig(toks, by+1))
			}
		}
	}
	return nil
}

// groupItems reads GROUP BY's items from toks[k]: plain expressions and
// those inside CUBE(…), ROLLUP(…) and GROUPING SETS ((…), …), up to the
// clause's end.
func groupItems(toks []token, k int) []string {
	seen := map[string]bool{}
	var cols []string
	var cur []token
	flush := func() {
		if c := strings.TrimSpace(render(rewriteExpr(cur))); c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			cols = append(cols, c)
		}
		cur = nil
	}
	depth := 0
	for ; k < len(toks); k++ {
		t := toks[k]
		next := nextSig(toks, k+1)
		switch {
		case t.is("CUBE", "ROLLUP", "GROUPING", "SETS"):
		case t.kind == tkIdent && next < len(toks) && toks[next].text == "(":
			end := matchParen(toks, next)
			cur = append(cur, toks[k:end+1]...)
			k = end
		case t.text == "(":
			flush()
			depth++
		case t.text == ")":
			flush()
			if depth--; depth < 0 {
				return cols
			}
		case t.text == ",":
			flush()
		case depth == 0 && t.is("HAVING", "ORDER", "LIMIT", "WINDOW", "QUALIFY", "UNION", "INTERSECT", "EXCEPT"):
			flush()
			return cols
		default:
			cur = append(cur, t)
		}
	}
	flush()
	return cols
}
