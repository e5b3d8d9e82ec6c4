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
		"hash":       "Spark's hash is Murmur3 and DuckDB's is another hash; md5, sha1 and sha2 give Spark's answers",
		"skewness":   "Spark's skewness is the population skewness and DuckDB's the sample one",
		"kurtosis":   "Spark's kurtosis is the population excess kurtosis and DuckDB's the sample one",
		"posexplode": "its pos column is not produced; unnest(generate_series(0, len(a) - 1)) AS pos, unnest(a) AS col gives both",
	}
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
		name := strings.TrimPrefix(rest[:j], fnCatalog+".main.")
		name = strings.TrimPrefix(name, "spark_")
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
	return "function " + name + " is not supported on the local engine", true
}

func isUnsupportedArguments(msg string) bool {
	_, ok := unsupportedArguments(msg)
	return ok
}
