package redact

import "regexp"

// secretWords name settings and options whose values are secrets.
const secretWords = `(?:password|passwd|pwd|bindpw|secret|token|keytab|credential|access[._-]?key)`

var (
	// key=value (SET k=v, 'k=v' in connection strings, OPTIONS (k = 'v')).
	secretEq = regexp.MustCompile(`(?i)([\w.\-]*` + secretWords + `[\w.\-]*['"]?\s*=\s*)('(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s,;)'"]+)`)
	// key 'value' (OPTIONS (password 'v'), OPTIONS ('password' 'v')).
	secretSp = regexp.MustCompile(`(?i)([\w.\-]*` + secretWords + `[\w.\-]*['"]?\s+)('(?:[^']|'')*'|"(?:[^"]|"")*")`)
)

// Statement hides the values of settings and options that name
// passwords, secrets, tokens, keytabs or keys in a statement.
func Statement(stmt string) string {
	stmt = secretEq.ReplaceAllString(stmt, "${1}'******'")
	return secretSp.ReplaceAllString(stmt, "${1}'******'")
}
