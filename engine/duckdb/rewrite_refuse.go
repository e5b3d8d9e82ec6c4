package duckdb

import (
	"strings"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// StateUnsupported is Spark's SQLSTATE for a feature not supported.
const StateUnsupported = "0A000"

// refusedFunctions are Spark built-ins whose DuckDB namesake gives another
// answer: they are refused, never answered differently (docs/spark-sql.md).
func refusedFunctions() map[string]string {
	return map[string]string{
		"approx_top_k":   "DuckDB's approx_top_k answers the items without their counts",
		"window":         "time windows (window, session_window) are not supported on the local engine: time_bucket(INTERVAL '5 minutes', ts) gives tumbling windows",
		"session_window": "time windows (window, session_window) are not supported on the local engine",
		"window_time":    "time windows are not supported on the local engine",
		"try_avg":        "DuckDB's avg raises an overflow error where Spark's try_avg answers NULL; avg gives Spark's answer where nothing overflows",
	}
}

// refusedFamily gives the reason why the local engine lacks a Spark
// function that DuckDB does not have, found by the prefix of its name.
func refusedFamily(name string) (string, bool) {
	for _, f := range []struct{ prefix, why string }{
		{"kll_sketch_", "KLL sketches are Apache DataSketches binaries, which the local engine does not write; percentile_approx gives quantiles"},
		{"theta_", "theta sketches are Apache DataSketches binaries, which the local engine does not write; count(DISTINCT …) gives exact counts"},
		{"hll_", "HLL sketches are Apache DataSketches binaries, which the local engine does not write; approx_count_distinct gives the estimate"},
		{"approx_top_k_", "its sketch is an Apache DataSketches binary, which the local engine does not write"},
		{"count_min_sketch", "its result is Spark's serialized count-min sketch, which the local engine does not write"},
		{"st_", "Spark's geospatial types are not on the local engine"},
		{"reflect", "it calls a Java method; the local engine has no JVM"},
		{"try_reflect", "it calls a Java method; the local engine has no JVM"},
		{"java_method", "it calls a Java method; the local engine has no JVM"},
		{"collat", "Spark's collations are not on the local engine; lower() and ILIKE compare without case"},
		{"from_xml", "Spark's XML data source is not on the local engine; xpath, xpath_string and the typed xpath functions are"},
		{"to_xml", "Spark's XML data source is not on the local engine; xpath, xpath_string and the typed xpath functions are"},
		{"schema_of_xml", "Spark's XML data source is not on the local engine; xpath, xpath_string and the typed xpath functions are"},
		{"from_csv", "Spark's CSV options and schema inference are not on the local engine; split and CAST read one line"},
		{"to_csv", "Spark's CSV options are not on the local engine; concat_ws writes one line"},
		{"schema_of_csv", "Spark's CSV schema inference is not on the local engine"},
		{"schema_of_json", "Spark's JSON schema inference is not on the local engine; schema_of_variant(parse_json(…)) describes a JSON value"},
		{"schema_of_avro", "Avro is not on the local engine"},
		{"sql_keywords", "Spark's keyword table is not on the local engine"},
		{"uniform", "Spark's seeded random generator is not reproduced; DuckDB's random() gives other numbers"},
		{"histogram_numeric", "Spark's streaming histogram is not on the local engine; histogram(x) counts each value"},
		{"json_tuple", "a generator of columns is not on the local engine; get_json_object(j, '$.a') reads one field"},
		{"zip_with", "this lambda (one answering a struct of expressions, or a form DuckDB cannot bind) is not on the local engine; zip_with(a, b, (x, y) -> x + y) and (x, y) -> (y, x) are"},
		{"stack", "a generator of rows in a select list is not on the local engine; VALUES gives the rows"},
	} {
		if strings.HasPrefix(name, f.prefix) {
			return f.why, true
		}
	}
	return "", false
}

func unsupported(msg string) error {
	return &status.Error{SQLState: StateUnsupported, Message: msg}
}

// sparkRefusal finds, in a statement's tokens, a call the local engine
// refuses: a refused function, or a date pattern it cannot convert.
func sparkRefusal(toks []token) error {
	refused := refusedFunctions()
	s := sig(toks)
	for i := 0; i+1 < len(s); i++ {
		t := s[i]
		if t.kind != tkIdent || s[i+1].text != "(" || i > 0 && s[i-1].text == "." {
			continue
		}
		name := strings.ToLower(t.text)
		if why, ok := refused[name]; ok {
			return unsupported("function " + name + " is not supported on the local engine: " + why)
		}
		if err := callRefusal(name, s, i+1); err != nil {
			return err
		}
		if takesJavaFormat(name) {
			if lit := formatLiteral(s, i+1); lit >= 0 {
				if _, err := javaPattern(s[lit].val, parsesJavaFormat(name)); err != nil {
					return unsupported("function " + name + ": " + err.Error())
				}
			}
		}
	}
	return nil
}

// unsupportedArguments turns DuckDB's refusal to bind a Spark function
// to the arguments Spark takes ("No function matches the given name and
// argument types 'f(…)'", "Could not choose a best candidate function
// for the function call "f(…)"", a Spark macro's "does not support the
// supplied arguments") into Spark's refusal of what the local engine
// lacks, naming the function.
func unsupportedArguments(msg string) (string, bool) {
	if !strings.Contains(msg, "Binder Error") {
		return "", false
	}
	if i := strings.Index(msg, " can only operate on "); i > 0 {
		words := strings.Fields(msg[:i])
		return "function " + strings.ToLower(words[len(words)-1]) + " is not supported on the local engine with these arguments (" + firstLine(msg) + ")", true
	}
	for _, mark := range []string{"argument types '", "for the function call \"", "Macro "} {
		i := strings.Index(msg, mark)
		if i < 0 {
			continue
		}
		rest := msg[i+len(mark):]
		j := strings.IndexAny(rest, "( ")
		if j <= 0 {
			continue
		}
		name := rest[:j]
		if n, ok := strings.CutPrefix(name, fnCatalog+".main.spark_"); ok {
			name = n
		} else if n, ok := strings.CutPrefix(name, "spark_"); ok && strings.HasPrefix(rest, "spark_") && strings.Contains(msg, "Macro") {
			name = n
		}
		return "function " + name + " is not supported on the local engine with these arguments (" + firstLine(msg) + ")", true
	}
	return "", false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// unknownFunction turns DuckDB's "Function with name x does not exist"
// into Spark's refusal of what the local engine lacks.
func unknownFunction(msg string) (string, bool) {
	i := strings.Index(msg, "Function with name ")
	if i < 0 || !strings.Contains(msg, "Catalog Error") {
		return "", false
	}
	rest := msg[i+len("Function with name "):]
	j := strings.Index(rest, " does not exist")
	if j <= 0 {
		return "", false
	}
	name := strings.Trim(rest[:j], `"`)
	if n, ok := strings.CutPrefix(name, fnCatalog+".main.spark_"); ok {
		name = n
	}
	if why, ok := refusedFamily(strings.ToLower(name)); ok {
		return "function " + name + " is not supported on the local engine: " + why, true
	}
	return "function " + name + " is not supported on the local engine", true
}

func isUnsupportedArguments(msg string) bool {
	_, ok := unsupportedArguments(msg)
	return ok
}

// callRefusal refuses call forms whose DuckDB reading gives another
// answer: a filter or transform lambda over (element, index) (DuckDB
// counts from 1, Spark from 0), date_part of seconds (Spark keeps the
// fraction), a regexp_replace replacement with $n groups (DuckDB writes
// \n), listagg/string_agg with DISTINCT.
func callRefusal(name string, s []token, open int) error {
	arg := func(n int) []token { // the n-th argument's tokens
		depth, idx, start := 0, 0, open+1
		for k := open + 1; k < len(s); k++ {
			switch s[k].text {
			case "(", "[":
				depth++
			case ")", "]":
				if depth == 0 {
					if idx == n {
						return s[start:k]
					}
					return nil
				}
				depth--
			case ",":
				if depth == 0 {
					if idx == n {
						return s[start:k]
					}
					idx++
					start = k + 1
				}
			}
		}
		return nil
	}
	switch name {
	case "regexp_replace":
		if a := arg(2); len(a) == 1 && a[0].kind == tkString && strings.Contains(a[0].val, "$") {
			return unsupported("function regexp_replace with $n in the replacement is not supported on the local engine: DuckDB writes groups as \\1")
		}
		if arg(3) != nil {
			return unsupported("function regexp_replace with a position is not supported on the local engine")
		}
	case "try_add", "try_subtract":
		a, b := arg(0), arg(1)
		if len(a) > 0 && a[0].is("date") && len(b) > 0 && b[0].is("interval") && hasTimeUnit(b) {
			return unsupported("function " + name + " of a date and an interval is not supported on the local engine: DuckDB answers a timestamp where Spark answers a date (CAST(… AS DATE) gives it)")
		}
	case "sequence":
		if a := arg(2); len(a) > 0 && a[0].is("interval") && (hasTimeUnit(a) || argKind(s, open) != kindDate && argKind(s, open) != kindTimestamp) {
			return unsupported("function sequence of dates by an interval is not supported on the local engine: DuckDB answers timestamps where Spark answers dates")
		}
	case "from_json":
		if a := arg(1); len(a) != 1 || a[0].kind != tkString || ddlType(a[0].val) == "" {
			return unsupported("function from_json is not supported on the local engine with this schema: give a DDL string such as 'a INT, b DOUBLE' or 'STRUCT<a: INT>'")
		}
		if arg(2) != nil {
			return unsupported("function from_json with options is not supported on the local engine: Spark's JSON options (timestampFormat, …) have no DuckDB equivalent")
		}
	case "to_json":
		// Spark writes a struct key as [v1,v2]; DuckDB as {'a': v1}.
		if a := arg(0); len(a) > 2 && a[0].is("map") && a[1].text == "(" && a[2].is("named_struct", "struct", "array", "map") {
			return unsupported("function to_json of a map with struct, array or map keys is not supported on the local engine: Spark writes such a key as [v1,v2]")
		}
	case "array_sort":
		if arg(1) != nil {
			return unsupported("function array_sort with a comparator is not supported on the local engine: list_sort(array, 'DESC') sorts the other way")
		}
	}
	return nil
}
