package auth

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// FuzzLDAPFilters builds the search and group filters from arbitrary user
// names and DNs: each compiles, and keeps the template's structure (a name
// such as "*)(uid=*" cannot add a clause or widen the search).
func FuzzLDAPFilters(f *testing.F) {
	for _, s := range []string{"alice", "*", "*)(uid=*", `a\29b`, "x)(|(objectClass=*", "\x00", "ü(*)"} {
		f.Add(s, "uid="+s+",ou=people,dc=example,dc=test")
	}
	const tpl = "(&(objectClass=groupOfNames)(cn=analysts)(member={dn})(memberUid={user}))"
	f.Fuzz(func(t *testing.T, user, dn string) {
		p, err := ldap.CompileFilter(groupFilter(tpl, user, dn))
		if err != nil {
			t.Fatalf("group filter for %q/%q does not compile: %v", user, dn, err)
		}
		if p.Tag != ldap.FilterAnd || len(p.Children) != 4 {
			t.Fatalf("group filter for %q/%q changed structure: tag %d, %d clauses", user, dn, p.Tag, len(p.Children))
		}
		q, err := ldap.CompileFilter(userFilter("uid", user))
		if err != nil || q.Tag != ldap.FilterEqualityMatch {
			t.Fatalf("user filter for %q: %v tag %d", user, err, q.Tag)
		}
	})
}
