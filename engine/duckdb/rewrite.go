package duckdb

import (
	"slices"
	"strings"
)

// planKind says how a rewritten statement runs.
type planKind int

const (
	planQuery     planKind = iota // returns rows
	planExec                      // DDL/DML: no result set
	planNoop                      // accepted and ignored (CACHE TABLE, REFRESH, …)
	planOverwrite                 // INSERT OVERWRITE: sqls run in one transaction
)

// plan is a Spark SQL statement turned into DuckDB SQL.
type plan struct {
	kind planKind
	sql  string
	sqls []string
	note string
	// hiveSQL, when set, is the statement in HiveServer2's output form
	// (SHOW TABLES: one column tab_name), for sessions that want it.
	hiveSQL string
	// meta marks a metadata statement, which authorization filters
	// rather than checks.
	meta *metaPlan
}

// fnCatalog is the in-memory catalog holding the Spark function macros.
const fnCatalog = "kitsune_fn"

// sparkFunctionNames are the Spark functions that the macros of macros.go
// provide under the spark_ prefix (GetFunctions lists them too).
func sparkFunctionNames() []string {
	return []string{"nvl", "nvl2", "date_format", "to_date", "date_add", "date_sub", "datediff", "from_unixtime",
		"unix_timestamp", "size", "array_contains", "flatten", "collect_list", "array_agg", "collect_set", "substring_index", "regexp_extract",
		"get_json_object", "to_timestamp", "isnull", "isnotnull", "nanvl", "current_database",
		"explode", "posexplode", "array_join", "sort_array", "array_sort", "map_keys", "map_values", "shiftleft", "shiftright",
		"percentile_approx", "approx_percentile", "array_distinct", "percentile", "sha2", "add_months", "months_between", "str_to_map",
		"dayname", "listagg", "element_at", "array_position", "ceil", "ceiling", "floor", "sign", "signum", "cbrt", "acos", "asin",
		"atanh", "current_schema", "to_json", "typeof", "array_append", "array_prepend", "regexp_replace", "split", "json_array_length",
		"locate", "string_agg", "char", "to_unix_timestamp", "median",
		"mask", "try_add", "try_subtract", "try_multiply", "try_divide", "try_mod", "width_bucket", "startswith", "endswith", "equal_null",
		"zeroifnull", "btrim", "lpad", "rpad", "first", "first_value", "last", "last_value", "json_object_keys", "get", "make_ym_interval",
		"make_dt_interval", "date_trunc", "trunc", "parse_url", "try_parse_url", "luhn_check",
		"e", "expm1", "log1p", "hypot", "csc", "sec", "positive", "negative", "nullifzero", "space", "pmod", "rint", "std", "sha",
		"getbit", "bit_get", "find_in_set", "initcap", "date_diff", "dateadd", "date_from_unix_date", "unix_date", "unix_seconds", "unix_millis",
		"unix_micros", "timestamp_seconds", "timestamp_millis", "timestamp_micros", "from_utc_timestamp", "to_utc_timestamp", "convert_timezone",
		"like", "ilike", "rlike", "regexp", "regexp_like", "regexp_count", "regexp_substr", "regexp_instr", "format_string", "octet_length",
		"levenshtein", "make_timestamp_ntz", "make_timestamp_ltz",
		"array_compact", "array_except", "array_union", "array_max", "array_min", "array_remove", "array_repeat", "array_size", "arrays_overlap",
		"slice", "sequence", "try_element_at", "ascii", "bin", "unbase64", "try_url_decode", "is_valid_utf8", "try_validate_utf8", "validate_utf8",
		"input_file_block_length", "input_file_block_start", "input_file_name", "spark_partition_id", "time_diff", "to_time", "try_to_time",
		"to_timestamp_ltz", "to_timestamp_ntz", "try_to_timestamp", "try_to_date", "make_timestamp", "try_make_timestamp", "try_make_timestamp_ltz",
		"try_make_timestamp_ntz", "map_contains_key", "encode", "to_binary", "try_to_binary", "next_day", "quote", "try_sum",
		"skewness", "kurtosis", "corr", "regr_r2", "regr_sxy", "regr_sxx", "aes_encrypt", "aes_decrypt", "try_aes_decrypt", "crc32",
		"soundex", "conv", "make_valid_utf8", "sentences", "shiftrightunsigned", "unhex",
		"parse_json", "try_parse_json", "is_variant_null", "schema_of_variant", "schema_of_variant_agg", "to_variant_object",
		"contains", "map_from_arrays", "assert_true", "time_trunc", "array_insert", "make_interval", "try_make_interval", "format_number",
		"bitmap_bit_position", "bitmap_bucket_number", "bitmap_count", "bitmap_construct_agg", "bitmap_or_agg", "bitmap_and_agg",
		"xpath", "xpath_string", "xpath_boolean", "xpath_double", "xpath_number", "xpath_float", "xpath_long", "xpath_int", "xpath_short"}
}

// isSparkFunction reports whether name is one of sparkFunctionNames.
func isSparkFunction(name string) bool {
	return slices.Contains(sparkFunctionNames(), strings.ToLower(name))
}

// rewrite turns one Spark SQL statement into a DuckDB plan: the
// expression rules first (rewriteExpr), then the first statement rule
// that matches (statementRules); anything else runs as written.
func rewrite(stmt string) (plan, error) {
	lexed := lex(stmt)
	if err := sparkRefusal(lexed); err != nil {
		return plan{}, err
	}
	toks := rewriteExpr(lexed)
	s := words(sig(toks))
	if len(s) == 0 {
		return plan{kind: planNoop}, nil
	}
	for _, r := range statementRules() {
		if r.match(s) {
			return r.apply(toks, s)
		}
	}
	sql := render(toks)
	if s.kw(0, "SELECT", "WITH", "FROM", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "PRAGMA", "TABLE", "SUMMARIZE", "CALL", "PIVOT", "UNPIVOT", "(") {
		return plan{kind: planQuery, sql: sql}, nil
	}
	return plan{kind: planExec, sql: sql}, nil
}

// dbName maps Spark's default database to DuckDB's main schema.
func dbName(n string) string {
	if strings.EqualFold(n, "default") {
		return "main"
	}
	return n
}

// qualified renders a possibly dotted name starting at s[*i] and advances *i.
func qualified(s []token, i *int) string {
	var parts []string
	for *i < len(s) {
		t := s[*i]
		if t.kind != tkIdent && t.kind != tkQuoted {
			break
		}
		parts = append(parts, t.text)
		*i++
		if *i < len(s) && s[*i].text == "." {
			*i++
			continue
		}
		break
	}
	return strings.Join(parts, ".")
}

func lastPart(s []token, i int) string {
	name := ""
	for ; i < len(s); i++ {
		if s[i].kind == tkIdent || s[i].kind == tkQuoted {
			name = s[i].name()
		}
	}
	return name
}

// likeFilter renders Spark's SHOW … LIKE pattern ('*' wildcards, '|' alternatives).
func likeFilter(col, pattern string) string {
	var ors []string
	for _, p := range strings.Split(pattern, "|") {
		p = strings.ReplaceAll(strings.TrimSpace(p), "*", "%")
		ors = append(ors, col+" ILIKE "+sqlString(p))
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// spaced joins significant tokens with single spaces where needed.
func spaced(s []token) []token {
	out := make([]token, 0, 2*len(s))
	for i, t := range s {
		if i > 0 && t.text != "." && s[i-1].text != "." && t.text != "," && t.text != ")" && s[i-1].text != "(" {
			out = append(out, token{kind: tkSpace, text: " "})
		}
		out = append(out, t)
	}
	return out
}

// dropWord removes the significant token at significant index idx when it
// is word (INSERT INTO TABLE t → INSERT INTO t).
func dropWord(toks []token, word string, idx int) []token {
	n := -1
	for i, t := range toks {
		if !t.significant() {
			continue
		}
		n++
		if n == idx {
			if t.is(word) {
				return append(append([]token{}, toks[:i]...), toks[i+1:]...)
			}
			break
		}
	}
	return toks
}

// dropPartition removes a PARTITION (...) clause: the local engine does not
// partition tables.
func dropPartition(toks []token) []token {
	for i, t := range toks {
		if t.is("PARTITION") {
			j := i + 1
			for j < len(toks) && !toks[j].significant() {
				j++
			}
			if j < len(toks) && toks[j].text == "(" {
				end := matchParen(toks, j)
				return append(append([]token{}, toks[:i]...), toks[end+1:]...)
			}
		}
	}
	return toks
}

func matchParen(toks []token, open int) int { return matchPair(toks, open, "(", ")") }

// matchPair is the closer that matches the opener at toks[open] (the
// last token when none does).
func matchPair(toks []token, open int, opener, closer string) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].text {
		case opener:
			depth++
		case closer:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}
