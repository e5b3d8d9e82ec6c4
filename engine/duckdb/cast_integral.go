package duckdb

import (
	"regexp"
	"strconv"
)

// Spark casts a decimal or a floating value to an integral type by
// truncating it toward zero (CAST(2.7 AS INT) is 2, CAST(-2.7 AS INT) is
// -2); DuckDB rounds (3, -3). A string Spark reads strictly under ANSI
// ('2.7' is CAST_INVALID_INPUT, NULL for TRY_CAST) and leniently without
// ('2.7' is 2); DuckDB rounds it too. The plan says which CASTs of the
// statement's own go to an integral type and from what: their argument is
// truncated, or read by Spark's rule (spark_int_text).
//
// The same walk of the plan finds the other calls whose argument or name
// is rewritten in place: a CAST of a double or an array to a string (as
// Spark writes them), round of a double (Spark rounds its decimal text)
// and a subscript of a list (Spark counts from 0).

// castsToIntegral finds a cast to an integral type in the statement's text.
var castsToIntegral = regexp.MustCompile(`(?i)\bAS\s+(TINYINT|SMALLINT|INT|INTEGER|BIGINT|INT1|INT2|INT4|INT8|LONG|SHORT|BYTE)\b|::\s*(TINYINT|SMALLINT|INT|INTEGER|BIGINT|INT1|INT2|INT4|INT8)\b`)

// Modes of spark_int_text: how a string that is not a plain integer is
// answered.
const (
	intTextError   = 0 // ANSI CAST: CAST_INVALID_INPUT
	intTextNull    = 1 // ANSI TRY_CAST: NULL
	intTextLenient = 2 // legacy: its integral part
)

// castUses are the plan's CASTs to an integral type from a decimal, a
// floating value or a string, as spans of their argument.
func (ty typer) castUses(tree map[string]any, ansi bool) []castUse {
	var out []castUse
	ty.visit(tree["plans"], nil, func(v map[string]any, scope []planCol) {
		if kids, _ := v["children"].([]any); v["expression_class"] == "BOUND_FUNCTION" && v["name"] == "array_extract" && len(kids) == 2 {
			// arr[i]: the plan places the index, not the subscript, which
			// has no place of its own (a call of array_extract has one;
			// the rewrite writes its own subscripts as list_extract).
			if _, placed := location(v); placed {
				return
			}
			if t := typeID(kids[0]); (t == "LIST" || t == "ARRAY") && duckNum(typeOfExpr(uncast(kids[1]))).class == numIntegral {
				if m, _ := kids[1].(map[string]any); m != nil {
					if loc, ok := location(m); ok {
						out = append(out, castUse{loc: loc, subscript: true})
					}
				}
			}
			return
		}
		// A double to DuckDB that is a decimal to Spark (a decimal avg or
		// division, rewritten to one) is not written or rounded as a double.
		sparkDecimal := func(x any) bool { return ty.of(x, scope).class == numDecimal }
		if kids, _ := v["children"].([]any); v["expression_class"] == "BOUND_FUNCTION" && v["name"] == "round" && len(kids) > 0 && typeID(kids[0]) == "DOUBLE" && !sparkDecimal(kids[0]) {
			if loc, ok := location(v); ok {
				out = append(out, castUse{loc: loc, rename: "kitsune_round_double"})
			}
			return
		}
		if v["expression_class"] != "BOUND_CAST" || !ty.explicitCast(v) {
			return
		}
		loc, _ := location(v)
		u := castUse{loc: loc}
		if typeIDOf(v["return_type"]) == "VARCHAR" {
			switch child, _ := v["child"].(map[string]any); typeID(child) {
			case "DOUBLE", "FLOAT":
				if !sparkDecimal(child) {
					out = append(out, castUse{loc: loc, wrap: "kitsune_java_number("})
				}
			case "LIST", "ARRAY":
				if text, ok := sparkText("e0", child["return_type"], 0); ok {
					out = append(out, castUse{loc: loc, wrap: "list_extract(list_transform([", wrapEnd: "], e0 -> " + text + "), 1)"})
				}
			}
			return
		}
		if duckNum(v["return_type"]).class != numIntegral {
			return
		}
		switch typeID(v["child"]) {
		case "DECIMAL", "FLOAT", "DOUBLE":
		case "VARCHAR":
			u.text = true
			switch {
			case !ansi:
				u.mode = intTextLenient
			case v["try_cast"] == true:
				u.mode = intTextNull
			default:
				u.mode = intTextError
			}
		default:
			return
		}
		out = append(out, u)
	})
	return out
}

// castUse is one such CAST: where it stands, and how its argument is
// read (wrap: by that function; a CAST of a double or a float to a string
// writes it as Java does, kitsune_java_number).
type castUse struct {
	loc           int
	text          bool
	mode          int
	wrap, wrapEnd string
	// rename: a call of round on a double, renamed to Spark's rounding
	// of its decimal text (kitsune_round_double).
	rename string
	// subscript: arr[i], whose index stands at loc: Spark counts from 0
	// (spark_subscript).
	subscript bool
}

// castSpan is the argument of the CAST at toks[i] (CAST( … AS t) or
// … ::t), wrapped by trunc, spark_int_text or kitsune_java_number, or
// the name of a round call. A use whose place holds no such CAST or call
// to that type is not the statement's own (a macro's inner expression,
// whose place means nothing in the statement): ours is false, and it is
// passed over. ok is false for one of the statement's own that is not read.
func castSpan(toks []token, i int, u castUse) (sp decimalSpan, ours, ok bool) {
	if u.rename != "" {
		return decimalSpan{start: i, end: i, replace: u.rename}, toks[i].is("round"), true
	}
	if u.subscript {
		return subscriptSpan(toks, i)
	}
	var lo, hi, typ int
	switch {
	case toks[i].is("CAST", "TRY_CAST"):
		open := nextSig(toks, i+1)
		if open >= len(toks) || toks[open].text != "(" {
			return decimalSpan{}, false, false
		}
		as := topLevelAS(toks, open)
		if as < 0 {
			return decimalSpan{}, true, false
		}
		lo, hi, typ = nextSig(toks, open+1), prevSig(toks, as-1), nextSig(toks, as+1)
	case toks[i].text == "::":
		hi, typ = prevSig(toks, i-1), nextSig(toks, i+1)
		lo = termStart(toks, hi)
	default:
		return decimalSpan{}, false, false
	}
	toString := u.wrap != ""
	if typ >= len(toks) || toString && !toks[typ].is("VARCHAR", "STRING", "TEXT") || !toString && !castsToIntegral.MatchString("AS "+toks[typ].text) {
		return decimalSpan{}, false, false
	}
	if lo < 0 || hi < lo {
		return decimalSpan{}, true, false
	}
	sp = decimalSpan{start: lo, end: hi, num: [2]int{lo, hi}, wrap: "trunc("}
	if toString {
		sp.wrap, sp.wrapEnd = u.wrap, u.wrapEnd
	}
	if u.text {
		sp.wrap, sp.wrapEnd = fnCatalog+".main.spark_int_text(", ", "+strconv.Itoa(u.mode)+")"
	}
	return sp, true, true
}

// topLevelAS is the AS of the CAST whose parenthesis opens at toks[open].
func topLevelAS(toks []token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch {
		case toks[j].text == "(" || toks[j].text == "[":
			depth++
		case toks[j].text == ")" || toks[j].text == "]":
			if depth--; depth == 0 {
				return -1
			}
		case toks[j].is("CASE"):
			j = caseEnd(toks, j)
			if j < 0 {
				return -1
			}
		case depth == 1 && toks[j].is("AS"):
			return j
		}
	}
	return -1
}

// sparkText is SQL writing v, of DuckDB type t, as Spark's CAST to a
// string does: an array as [a, null, b] (DuckDB writes NULL, and quotes
// strings with commas), a double as Java writes it, the rest as DuckDB's
// CAST does. False for a type not written here (a struct or a map, which
// the plan guard refuses).
func sparkText(v string, t any, depth int) (string, bool) {
	switch typeIDOf(t) {
	case "LIST", "ARRAY":
		m, _ := t.(map[string]any)
		info, _ := m["type_info"].(map[string]any)
		e := "e" + strconv.Itoa(depth+1)
		inner, ok := sparkText(e, info["child_type"], depth+1)
		if !ok {
			return "", false
		}
		return "CASE WHEN " + v + " IS NULL THEN NULL ELSE '[' || array_to_string(list_transform(" + v + ", " + e + " -> coalesce(" + inner +
			", 'null')), ', ') || ']' END", true
	case "DOUBLE", "FLOAT":
		return "kitsune_java_number(" + v + ")", true
	case "STRUCT", "MAP", "UNION", "BLOB":
		return "", false
	}
	return "CAST(" + v + " AS VARCHAR)", true
}

// subscriptSpan is the subscript whose index holds toks[i]: the nearest
// [ before it that is not closed, and the term before that [. An index
// inside a call's arguments (a macro's x[k], placed at its argument) is
// not a subscript of the statement's own.
func subscriptSpan(toks []token, i int) (decimalSpan, bool, bool) {
	depth := 0
	open := -1
	for j := i; j >= 0 && open < 0; j-- {
		switch toks[j].text {
		case ")", "]":
			depth++
		case "(":
			if depth == 0 {
				return decimalSpan{}, false, false
			}
			depth--
		case "[":
			if depth == 0 {
				open = j
			} else {
				depth--
			}
		case ",":
			if depth == 0 {
				return decimalSpan{}, false, false
			}
		}
	}
	if open < 1 {
		return decimalSpan{}, false, false
	}
	closing := matchPair(toks, open, "[", "]")
	baseEnd := prevSig(toks, open-1)
	base := termStart(toks, baseEnd)
	if base < 0 || toks[closing].text != "]" {
		return decimalSpan{}, true, false
	}
	return decimalSpan{start: base, end: closing, num: [2]int{base, baseEnd}, div: [2]int{nextSig(toks, open+1), prevSig(toks, closing-1)},
		arith: fnCatalog + ".main.spark_subscript(%s, %s)"}, true, true
}
