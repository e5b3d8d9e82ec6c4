package duckdb

import "strings"

// argumentKind is what the first argument of a call plainly is, read from
// its syntax: some Spark functions answer by their argument's type where
// DuckDB's namesake binds one type only (length of a binary, size of a
// map, abs of an interval, a sequence of dates). A column's type is not
// seen here; DuckDB then refuses the form it cannot bind, and the engine
// reports that as unsupported, never as another answer.
type argumentKind int

const (
	kindUnknown argumentKind = iota
	kindBinary
	kindArray
	kindMap
	kindInterval
	kindDate
	kindTimestamp
)

// kindMaker is the kind of a call's answer where it is plainly of one.
func kindMaker(name string) argumentKind {
	switch name {
	case "unhex", "from_hex", "encode", "to_binary", "try_to_binary", "unbase64", "aes_encrypt", "aes_decrypt", "try_aes_decrypt":
		return kindBinary
	case "array", "split", "sequence", "array_repeat", "collect_list", "collect_set", "slice", "sort_array", "array_sort", "array_distinct",
		"map_keys", "map_values", "array_union", "array_except", "array_intersect", "array_compact":
		return kindArray
	case "map", "map_from_arrays", "map_from_entries", "str_to_map", "map_concat", "map_filter":
		return kindMap
	case "to_date", "date", "current_date", "date_add", "date_sub", "add_months", "make_date", "last_day", "next_day":
		return kindDate
	case "to_timestamp", "timestamp", "current_timestamp", "make_timestamp", "now":
		return kindTimestamp
	}
	return kindUnknown
}

// argKind is the kind of the first argument of the call whose "(" is at
// toks[open].
func argKind(toks []token, open int) argumentKind {
	k := nextSig(toks, open+1)
	if k >= len(toks) {
		return kindUnknown
	}
	t := toks[k]
	after := nextSig(toks, k+1)
	var next token
	if after < len(toks) {
		next = toks[after]
	}
	switch {
	case t.text == "[":
		return kindArray
	case t.is("INTERVAL"):
		return kindInterval
	case next.kind == tkString && t.is("x"):
		return kindBinary
	case next.kind == tkString && t.is("date"):
		return kindDate
	case next.kind == tkString && t.is("timestamp", "timestamp_ltz", "timestamp_ntz"):
		return kindTimestamp
	case t.is("CAST") && next.text == "(":
		end := matchParen(toks, after)
		last := prevSig(toks, end-1)
		switch {
		case last <= after:
		case toks[last].is("BINARY"):
			return kindBinary
		case toks[last].is("DATE"):
			return kindDate
		case toks[last].is("TIMESTAMP"):
			return kindTimestamp
		}
	case t.kind == tkIdent && next.text == "(":
		return kindMaker(strings.ToLower(t.text))
	}
	return kindUnknown
}

// hasTimeUnit reports whether an interval literal's tokens name hours,
// minutes or seconds (a date plus such an interval is a timestamp).
func hasTimeUnit(toks []token) bool {
	for _, t := range toks {
		switch {
		case t.kind == tkIdent && t.is("hour", "hours", "minute", "minutes", "second", "seconds", "millisecond", "milliseconds", "microsecond", "microseconds"):
			return true
		case t.kind == tkString && strings.ContainsAny(t.val, ":") || t.kind == tkString && strings.Contains(strings.ToLower(t.val), "hour"):
			return true
		}
	}
	return false
}
