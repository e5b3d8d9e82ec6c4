package duckdb

import (
	"strings"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// The Go functions (udf*.go) and the macros' error() calls fail with
// Spark's error class first ("ARITHMETIC_OVERFLOW: …" or "[CLASS] …");
// DuckDB wraps them. sparkClassError unwraps such a message and gives it
// Spark's SQLSTATE for the class.

// sparkClassStates are the SQLSTATEs Spark gives its error classes.
func sparkClassStates() map[string]string {
	return map[string]string{
		"UNSUPPORTED_FEATURE":         StateUnsupported,
		"ARITHMETIC_OVERFLOW":         "22003",
		"INVALID_INDEX_OF_ZERO":       "22003",
		"INVALID_ARRAY_INDEX":         "22003",
		"INVALID_BITMAP_POSITION":     "22003",
		"INVALID_PARAMETER_VALUE":     "22023",
		"MALFORMED_RECORD_IN_PARSING": "22023",
		"VARIANT_DUPLICATE_KEY":       "22023",
		"INVALID_XML":                 "22023",
		"INVALID_XPATH":               "22023",
		"USER_RAISED_EXCEPTION":       "P0001",
		"DIVIDE_BY_ZERO":              "22012",
		"NUMERIC_VALUE_OUT_OF_RANGE":  "22003",
		"CAST_INVALID_INPUT":          "22018",
	}
}

func sparkClassError(msg string, err error) (*status.Error, bool) {
	if strings.Contains(msg, "Out of Range Error: Overflow") {
		return &status.Error{SQLState: "22003", Message: "[ARITHMETIC_OVERFLOW] " + firstLine(msg) +
			". Use the try_ functions (try_add, try_multiply, …) to answer NULL instead.", Err: err}, true
	}
	body := msg
	if i := strings.Index(body, "API error: "); i >= 0 {
		body = body[i+len("API error: "):]
	} else if i := strings.Index(body, "Invalid Input Error: ["); i >= 0 {
		body = body[i+len("Invalid Input Error: "):]
	} else {
		return nil, false
	}
	class, rest := "", ""
	if strings.HasPrefix(body, "[") {
		if j := strings.Index(body, "]"); j > 0 {
			class, rest = body[1:j], strings.TrimSpace(body[j+1:])
		}
	} else if c, r, ok := strings.Cut(body, ": "); ok {
		class, rest = c, r
	}
	base, _, _ := strings.Cut(class, ".")
	state, ok := sparkClassStates()[base]
	if !ok {
		return nil, false
	}
	return &status.Error{SQLState: state, Message: "[" + class + "] " + rest, Err: err}, true
}
