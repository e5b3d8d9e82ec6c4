package authz

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzWildcard checks the matcher against the regular expression the
// pattern stands for, and that no input makes it slow or panic.
func FuzzWildcard(f *testing.F) {
	for _, s := range [][2]string{{"*", "sales"}, {"sa?es", "sales"}, {"s*s", "sales"}, {"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, {"ü?", "üé"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := Wildcard(pattern, s)
		var re strings.Builder
		re.WriteString("(?is)^")
		for _, r := range strings.ToLower(pattern) {
			switch r {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(strings.ToLower(s))
		if got != want {
			t.Fatalf("Wildcard(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

// FuzzDecide feeds arbitrary policy documents and requests: parsing and
// deciding never panic, and a document that parses decides
// deterministically.
func FuzzDecide(f *testing.F) {
	f.Add(policiesJSON, "bob", "analysts", "select", "default", "sales", "amount")
	f.Add(`{"policies":[{"id":1,"policyType":0,"resources":{"database":{"values":["*"]}},"denyPolicyItems":[{"accesses":[{"type":"all"}],"groups":["public"]}]}]}`, "x", "", "drop", "d", "", "")
	f.Fuzz(func(t *testing.T, doc, user, group, access, db, table, column string) {
		ps, err := Parse([]byte(doc))
		if err != nil {
			return
		}
		c := ps.For(Subject{User: user, Groups: []string{group}})
		r := Resource{Database: db, Table: table, Column: column}
		first := c.Decide(access, r)
		if again := ps.For(Subject{User: user, Groups: []string{group}}).Decide(access, r); again != first {
			t.Fatalf("nondeterministic decision: %+v then %+v", first, again)
		}
		if !first.Allowed && first.PolicyID == 0 && len(ps.access) == 0 {
			t.Fatal("a denial with no policy must name policy -1")
		}
		_ = c.Visible(r)
		_, _ = c.Mask(r)
		_, _ = c.RowFilter(db, table)
	})
}
