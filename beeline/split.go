package beeline

import "strings"

// SplitStatements splits a script on semicolons that are outside quotes and
// comments; empty statements are dropped.
func SplitStatements(script string) []string {
	stmts, rest := split(script)
	if r := strings.TrimSpace(rest); r != "" {
		stmts = append(stmts, r)
	}
	return stmts
}

// splitComplete reports whether buf ends at a statement boundary and, if
// so, its statements.
func splitComplete(buf string) ([]string, bool) {
	stmts, pending := split(buf)
	if strings.TrimSpace(pending) != "" || len(stmts) == 0 {
		return nil, false
	}
	return stmts, true
}

// split returns the complete statements and the unterminated remainder.
func split(s string) ([]string, string) {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == '\\' && quote != '`' && i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
			cur.WriteByte(c)
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == ';':
			if st := strings.TrimSpace(cur.String()); st != "" {
				out = append(out, st)
			}
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return out, cur.String()
}
