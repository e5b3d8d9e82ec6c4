package duckdb

import (
	"strings"
)

// Spark's higher-order functions over arrays and maps, written with
// DuckDB's list functions. A lambda is rewritten where it stands; its
// parameters are renamed by token (never inside strings).

// lambdaParts splits "x -> body" or "(k, v) -> body".
func lambdaParts(l string) ([]string, string, bool) {
	head, body, ok := strings.Cut(l, "->")
	if !ok {
		return nil, "", false
	}
	head = strings.Trim(strings.TrimSpace(head), "()")
	var params []string
	for _, p := range strings.Split(head, ",") {
		if p = strings.TrimSpace(p); p != "" {
			params = append(params, p)
		}
	}
	return params, strings.TrimSpace(body), len(params) > 0
}

// substitute replaces the lambda's parameters in body.
func substitute(body string, with map[string]string) string {
	toks := lex(body)
	for i, t := range toks {
		if t.kind != tkIdent {
			continue
		}
		if r, ok := with[strings.ToLower(t.text)]; ok && (i == 0 || toks[i-1].text != ".") {
			toks[i] = token{kind: tkPunct, text: "(" + r + ")"}
		}
	}
	return render(toks)
}

// ruleHigherOrder handles transform, exists, forall, aggregate, reduce,
// zip_with, map_filter, transform_keys and transform_values.
func ruleHigherOrder(c *exprCursor) bool {
	if !c.call() || !c.t.is("transform", "filter", "exists", "forall", "aggregate", "reduce", "zip_with", "map_zip_with", "map_filter", "transform_keys", "transform_values") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	out, ok := higherOrder(strings.ToLower(c.t.text), args)
	return ok && c.emit(tkPunct, out, end)
}

func higherOrder(fn string, args []string) (string, bool) {
	last := func(i int) ([]string, string, bool) {
		if len(args) <= i {
			return nil, "", false
		}
		return lambdaParts(args[i])
	}
	switch fn {
	case "transform", "filter":
		p, body, ok := last(1)
		if !ok || len(p) > 2 || len(args) != 2 {
			return "", false
		}
		list := map[string]string{"transform": "list_transform(", "filter": "list_filter("}[fn]
		if len(p) == 1 {
			return list + args[0] + ", " + p[0] + " -> " + body + ")", true
		}
		// Spark counts the index from 0, DuckDB from 1.
		body = substitute(body, map[string]string{strings.ToLower(p[1]): "kitsune_i - 1"})
		return list + args[0] + ", (" + p[0] + ", kitsune_i) -> " + body + ")", true
	case "exists", "forall":
		p, body, ok := last(1)
		if !ok || len(p) != 1 || len(args) != 2 {
			return "", false
		}
		t := "list_transform(" + args[0] + ", " + p[0] + " -> " + body + ")"
		switch fn {
		case "exists":
			return "(CASE WHEN (" + args[0] + ") IS NULL THEN NULL WHEN list_contains(" + t + ", true) THEN true WHEN list_count(" + t + ") < len(" + t + ") THEN NULL ELSE false END)", true
		}
		return "(CASE WHEN (" + args[0] + ") IS NULL THEN NULL WHEN list_contains(" + t + ", false) THEN false WHEN list_count(" + t + ") < len(" + t + ") THEN NULL ELSE true END)", true
	case "aggregate", "reduce":
		p, body, ok := last(2)
		if !ok || len(p) != 2 || len(args) < 3 || len(args) > 4 {
			return "", false
		}
		r := "list_reduce(" + args[0] + ", (" + p[0] + ", " + p[1] + ") -> " + body + ", " + args[1] + ")"
		if len(args) == 4 {
			fp, fbody, ok := lambdaParts(args[3])
			if !ok || len(fp) != 1 {
				return "", false
			}
			r = "(" + substitute(fbody, map[string]string{strings.ToLower(fp[0]): r}) + ")"
		}
		return r, true
	case "zip_with":
		p, body, ok := last(2)
		if !ok || len(p) != 2 || len(args) != 3 {
			return "", false
		}
		with := map[string]string{strings.ToLower(p[0]): "list_extract(" + args[0] + ", kitsune_i)", strings.ToLower(p[1]): "list_extract(" + args[1] + ", kitsune_i)"}
		b := substitute(body, with)
		if isTuple(body) {
			if b, ok = tupleStruct(body, with); !ok {
				return "", false // a struct of expressions: Spark names its fields col1, col2, …
			}
		}
		return "list_transform(generate_series(1, greatest(len(" + args[0] + "), len(" + args[1] + "))), kitsune_i -> " + b + ")", true
	case "map_zip_with":
		// The keys of the first map in order, then the second's new ones.
		p, body, ok := last(2)
		if !ok || len(p) != 3 || len(args) != 3 {
			return "", false
		}
		keys := "list_concat(map_keys(" + args[0] + "), map_keys(" + args[1] + "))"
		distinct := "list_filter(" + keys + ", (kitsune_x, kitsune_n) -> list_position(" + keys + ", kitsune_x) = kitsune_n)"
		b := substitute(body, map[string]string{strings.ToLower(p[0]): "kitsune_k", strings.ToLower(p[1]): "(" + args[0] + ")[kitsune_k]", strings.ToLower(p[2]): "(" + args[1] + ")[kitsune_k]"})
		return "map_from_entries(list_transform(" + distinct + ", kitsune_k -> struct_pack(key := kitsune_k, value := " + b + ")))", true
	case "map_filter", "transform_keys", "transform_values":
		p, body, ok := last(1)
		if !ok || len(p) != 2 || len(args) != 2 {
			return "", false
		}
		b := substitute(body, map[string]string{strings.ToLower(p[0]): "kitsune_e.key", strings.ToLower(p[1]): "kitsune_e.value"})
		entries := "map_entries(" + args[0] + ")"
		switch fn {
		case "map_filter":
			return "map_from_entries(list_filter(" + entries + ", kitsune_e -> " + b + "))", true
		case "transform_keys":
			return "map_from_entries(list_transform(" + entries + ", kitsune_e -> struct_pack(key := " + b + ", value := kitsune_e.value)))", true
		}
		return "map_from_entries(list_transform(" + entries + ", kitsune_e -> struct_pack(key := kitsune_e.key, value := " + b + ")))", true
	}
	return "", false
}

// isTuple reports whether e is a parenthesized list: (a, b).
func isTuple(e string) bool {
	toks := sig(lex(e))
	if len(toks) < 5 || toks[0].text != "(" || matchParen(toks, 0) != len(toks)-1 {
		return false
	}
	depth := 0
	for _, t := range toks[1 : len(toks)-1] {
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// tupleStruct turns a lambda body (a, b) of plain names into the struct
// Spark builds from it, its fields named after them (with their values
// substituted).
func tupleStruct(body string, with map[string]string) (string, bool) {
	toks := sig(lex(body))
	var fields []string
	for i := 1; i < len(toks)-1; i += 2 {
		if toks[i].kind != tkIdent || toks[i+1].text != "," && toks[i+1].text != ")" {
			return "", false
		}
		fields = append(fields, toks[i].text+" := "+substitute(toks[i].text, with))
	}
	return "struct_pack(" + strings.Join(fields, ", ") + ")", true
}
