package duckdb

import (
	"strconv"
	"strings"
)

type tokKind int

const (
	tkSpace tokKind = iota
	tkComment
	tkString // a DuckDB single-quoted literal, already re-quoted
	tkIdent
	tkQuoted // a DuckDB double-quoted identifier, already re-quoted
	tkNumber
	tkPunct
)

type token struct {
	kind tokKind
	text string
	// val is the unquoted value of strings and quoted identifiers.
	val string
}

func (t token) is(words ...string) bool {
	if t.kind != tkIdent && t.kind != tkPunct {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

// name is an identifier's name, quoted or not.
func (t token) name() string {
	if t.kind == tkQuoted {
		return t.val
	}
	return t.text
}

func (t token) significant() bool { return t.kind != tkSpace && t.kind != tkComment }

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// lex splits Spark SQL into tokens, turning Spark's quoting into DuckDB's:
// `ident` → "ident", "text" and 'te\'xt' → 'text' with ” escapes.
func lex(src string) []token { return lexMode(src, false) }

// lexDuck lexes DuckDB SQL (a statement after the rewrite) as DuckDB reads
// it: '…' strings with ” escapes only, "…" identifiers, numbers as they
// are; every token's text is the source's, so the tokens render it back
// byte for byte (the plan's places are offsets into it).
func lexDuck(src string) []token { return lexMode(src, true) }

// duckQuoted reads a DuckDB quoted string or identifier at src[0]: its
// length and unescaped value.
func duckQuoted(src string) (int, string) {
	q := src[0]
	var b strings.Builder
	for j := 1; j < len(src); j++ {
		if src[j] == q {
			if j+1 < len(src) && src[j+1] == q {
				b.WriteByte(q)
				j++
				continue
			}
			return j + 1, b.String()
		}
		b.WriteByte(src[j])
	}
	return len(src), b.String()
}

func lexMode(src string, duck bool) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			j := i
			for j < len(src) && strings.IndexByte(" \t\n\r", src[j]) >= 0 {
				j++
			}
			toks = append(toks, token{kind: tkSpace, text: src[i:j]})
			i = j
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			toks = append(toks, token{kind: tkComment, text: src[i : i+j]})
			i += j
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			end := len(src)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			toks = append(toks, token{kind: tkComment, text: src[i:end]})
			i = end
		case duck && (c == '\'' || c == '"'):
			n, val := duckQuoted(src[i:])
			kind := tkString
			if c == '"' {
				kind = tkQuoted
			}
			toks = append(toks, token{kind: kind, text: src[i : i+n], val: val})
			i += n
		case duck && (c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9')):
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == '_' ||
				((src[j] == 'e' || src[j] == 'E') && j+1 < len(src) && (src[j+1] >= '0' && src[j+1] <= '9' || src[j+1] == '-' || src[j+1] == '+'))) {
				if src[j] == 'e' || src[j] == 'E' {
					j++
				}
				j++
			}
			toks = append(toks, token{kind: tkNumber, text: src[i:j]})
			i = j
		case c == '\'' || c == '"':
			val, n := readSparkString(src[i:], c)
			toks = append(toks, token{kind: tkString, text: sqlString(val), val: val})
			i += n
		case c == '`' && !duck:
			var b strings.Builder
			j := i + 1
			for j < len(src) {
				if src[j] == '`' {
					if j+1 < len(src) && src[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					j++
					break
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{kind: tkQuoted, text: sqlIdent(b.String()), val: b.String()})
			i = j
		case !duck && (c == 'r' || c == 'R') && i+1 < len(src) && (src[i+1] == '\'' || src[i+1] == '"') && (i == 0 || !isIdentPart(src[i-1])):
			// Spark's raw string r'…': no escapes.
			end := strings.IndexByte(src[i+2:], src[i+1])
			if end < 0 {
				end = len(src) - i - 2
			}
			val := src[i+2 : i+2+end]
			toks = append(toks, token{kind: tkString, text: sqlString(val), val: val})
			i += end + 3
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tkIdent, text: src[i:j]})
			i = j
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' ||
				((src[j] == 'e' || src[j] == 'E') && j+1 < len(src) && (src[j+1] >= '0' && src[j+1] <= '9' || src[j+1] == '-' || src[j+1] == '+'))) {
				if src[j] == 'e' || src[j] == 'E' {
					j++
				}
				j++
			}
			toks = append(toks, numberToken(src[i:j], src[j:], &j))
			i = j
		default:
			n := 1
			for _, op := range []string{"<=>", "<=", ">=", "<>", "!=", "==", "||", "::", "->", "=>"} {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
			toks = append(toks, token{kind: tkPunct, text: src[i : i+n]})
			i += n
		}
	}
	return toks
}

// numberToken handles Spark's typed literal suffixes (10L, 1.5D, 2BD, 3S, 4Y).
func numberToken(num, rest string, end *int) token {
	suffixes := []struct{ s, typ string }{{"BD", bigDecimalType(num)}, {"L", "BIGINT"}, {"S", "SMALLINT"}, {"Y", "TINYINT"}, {"D", "DOUBLE"}, {"F", "FLOAT"}}
	for _, sf := range suffixes {
		if len(rest) >= len(sf.s) && strings.EqualFold(rest[:len(sf.s)], sf.s) && (len(rest) == len(sf.s) || !isIdentPart(rest[len(sf.s)])) {
			*end += len(sf.s)
			return token{kind: tkNumber, text: "CAST(" + num + " AS " + sf.typ + ")"}
		}
	}
	return token{kind: tkNumber, text: num}
}

// bigDecimalType is the decimal a BD literal is in Spark: the precision
// and scale of its digits (1.5BD is a DECIMAL(2,1), 0.05BD a
// DECIMAL(2,2)); with an exponent, DECIMAL(38,18).
func bigDecimalType(num string) string {
	if strings.ContainsAny(num, "eE") {
		return "DECIMAL(38,18)"
	}
	whole, frac, _ := strings.Cut(num, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	p, s := max(len(digits), 1, len(frac)), len(frac)
	if p > 38 {
		return "DECIMAL(38,18)"
	}
	return "DECIMAL(" + strconv.Itoa(p) + "," + strconv.Itoa(s) + ")"
}

func readSparkString(s string, q byte) (string, int) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			switch n := s[i+1]; n {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(n)
			default:
				b.WriteByte(n)
			}
			i += 2
		case c == q:
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i += 2
				continue
			}
			return b.String(), i + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

func render(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// sig returns the significant tokens.
func sig(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.significant() {
			out = append(out, t)
		}
	}
	return out
}
