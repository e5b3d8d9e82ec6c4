package duckdb

import (
	"fmt"
	"strings"
)

// Spark formats and parses dates with Java's DateTimeFormatter patterns
// (date_format, to_date, to_timestamp, from_unixtime, unix_timestamp);
// DuckDB with strftime. A pattern is converted letter run by letter run,
// and a letter with no strftime equivalent is refused, never passed on
// as text.

// javaRun maps a run of one pattern letter (its length n) to strftime,
// for formatting and for parsing (where DuckDB's %d also reads "1").
func javaRun(letter byte, n int, parse bool) (string, bool) {
	pad := func(unpadded, padded string) string {
		if n >= 2 || parse {
			return padded
		}
		return unpadded
	}
	switch letter {
	case 'y', 'u':
		if n == 2 {
			return "%y", true
		}
		return "%Y", true
	case 'M', 'L':
		switch {
		case n >= 4:
			return "%B", true
		case n == 3:
			return "%b", true
		}
		return pad("%-m", "%m"), true
	case 'd':
		return pad("%-d", "%d"), n <= 2
	case 'D':
		if n == 1 && !parse {
			return "%-j", true
		}
		return "%j", n == 3 || parse && n == 1
	case 'H':
		return pad("%-H", "%H"), n <= 2
	case 'h':
		return pad("%-I", "%I"), n <= 2
	case 'm':
		return pad("%-M", "%M"), n <= 2
	case 's':
		return pad("%-S", "%S"), n <= 2
	case 'S':
		switch n {
		case 3:
			return "%g", true
		case 6:
			return "%f", true
		case 9:
			return "%n", true
		}
	case 'E':
		if n >= 4 {
			return "%A", true
		}
		return "%a", true
	case 'a':
		return "%p", n == 1
	}
	return "", false
}

// javaPattern converts a Java date pattern to strftime, or says which
// letter has no equivalent.
func javaPattern(p string, parse bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("the pattern %q has an unclosed quote", p)
			}
			if j == 0 {
				b.WriteByte('\'') // '' is a quote
			} else {
				b.WriteString(strings.ReplaceAll(p[i+1:i+1+j], "%", "%%"))
			}
			i += j + 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			f, ok := javaRun(c, n, parse)
			if !ok {
				return "", fmt.Errorf("the pattern letter %s (in %q) is not supported on the local engine: use y, M, d, D, H, h, m, s, S (3, 6 or 9), E, a and quoted text", strings.Repeat(string(c), n), p)
			}
			b.WriteString(f)
			i += n
		case c == '%':
			b.WriteString("%%")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// parsesJavaFormat reports whether fn reads text with its pattern (else it
// writes text with it).
func parsesJavaFormat(fn string) bool {
	switch strings.ToLower(fn) {
	case "to_date", "to_timestamp", "unix_timestamp", "to_unix_timestamp", "to_time", "try_to_time", "to_timestamp_ltz", "to_timestamp_ntz",
		"try_to_timestamp", "try_to_date":
		return true
	}
	return false
}
