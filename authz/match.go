package authz

import (
	"strings"
	"unicode/utf8"
)

// levels are the Hive service's resource hierarchy.
var levels = [3]string{"database", "table", "column"}

// Resource is what a request is about: a database, a table in it or a
// column of that table. Empty trailing levels are not part of the request
// (a table-level request has no column).
type Resource struct {
	Database, Table, Column string
}

func (r Resource) parts() []string {
	switch {
	case r.Table == "":
		return []string{r.Database}
	case r.Column == "":
		return []string{r.Database, r.Table}
	}
	return []string{r.Database, r.Table, r.Column}
}

// String is the resource as Kyuubi's authorization plugin names it in a
// denial: default/sales/amount.
func (r Resource) String() string { return strings.Join(r.parts(), "/") }

// Wildcard reports whether s matches pattern, in which * is any run of
// characters and ? one character; case is ignored, as the Hive service
// definition has it.
func Wildcard(pattern, s string) bool {
	p, v := strings.ToLower(pattern), strings.ToLower(s)
	// Iterative matching with one backtrack point: linear in practice,
	// never exponential.
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		if pi < len(p) && p[pi] == '*' {
			star, mark = pi, vi
			pi++
			continue
		}
		if pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]) {
			if p[pi] == '?' {
				_, n := utf8.DecodeRuneInString(v[vi:])
				vi += n
			} else {
				vi++
			}
			pi++
			continue
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		_, n := utf8.DecodeRuneInString(v[mark:])
		mark += n
		vi = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchValues is one resource level of a policy against one value: any of
// the values, or none of them when the level is excluded. {USER} stands
// for the requesting user.
func (rv resourceValues) match(value, user string) bool {
	hit := false
	for _, pat := range rv.Values {
		if Wildcard(strings.ReplaceAll(pat, "{USER}", user), value) {
			hit = true
			break
		}
	}
	return hit != rv.IsExcludes
}

// matchesAll reports whether the level stands for every value (a request
// that does not reach this level matches only such a level).
func (rv resourceValues) matchesAll() bool {
	if rv.IsExcludes {
		return false
	}
	for _, v := range rv.Values {
		if strings.Trim(v, "*") == "" && v != "" {
			return true
		}
	}
	return false
}

// tablePolicy reports whether the policy is over the database/table/column
// hierarchy (not url, udf or global resources).
func (p *policy) tablePolicy() bool {
	if len(p.Resources) == 0 {
		return false
	}
	for k := range p.Resources {
		if k != "database" && k != "table" && k != "column" {
			return false
		}
	}
	_, ok := p.Resources["database"]
	return ok
}

// matches reports whether the policy covers r. With descendants, levels
// below the request's are not looked at: the policy covers something
// inside r (what listings need); without, they must stand for everything.
func (p *policy) matches(r Resource, user string, descendants bool) bool {
	parts := r.parts()
	for i, lvl := range levels {
		rv, ok := p.Resources[lvl]
		if i < len(parts) {
			if ok && !rv.match(parts[i], user) {
				return false
			}
			continue
		}
		if !descendants && ok && !rv.matchesAll() {
			return false
		}
	}
	return true
}
