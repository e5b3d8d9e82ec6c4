//go:build e2e

package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/internal/testenv"
)

func TestLDAPAgainstSlapd(t *testing.T) {
	s := testenv.StartSlapd(t)
	ctx := context.Background()
	for _, cfg := range []auth.LDAPConfig{
		{URL: s.URL, UserDNPattern: "uid=%s,ou=people,dc=example,dc=test", BaseDN: "dc=example,dc=test",
			GroupFilter: "(&(objectClass=groupOfNames)(cn=analysts)(member={dn}))"},
		{URL: s.URL, BaseDN: "dc=example,dc=test", BindDN: "cn=admin,dc=example,dc=test", BindPassword: "adminpw",
			GroupFilter: "(&(objectClass=groupOfNames)(cn=analysts)(member={dn}))"},
	} {
		a := auth.NewLDAP(cfg, zaptest.NewLogger(t))
		if u, err := a.Authenticate(ctx, "alice", "alicepw", "1.2.3.4:5"); err != nil || u != "alice" {
			t.Errorf("right password: %q %v", u, err)
		}
		for _, c := range [][2]string{{"alice", "wrong"}, {"nobody", "x"}, {"alice", ""}, {"carol", "carolpw"}, {"alice*", "alicepw"}} {
			if _, err := a.Authenticate(ctx, c[0], c[1], "1.2.3.4:5"); !errors.Is(err, auth.ErrAuthFailed) || err.Error() != "authentication failed" {
				t.Errorf("%v: %v, want the one refusal message", c, err)
			}
		}
	}
	// Failures are never cached; successes are, briefly.
	a := auth.NewLDAP(auth.LDAPConfig{URL: s.URL, UserDNPattern: "uid=%s,ou=people,dc=example,dc=test", CacheTTL: time.Minute}, zaptest.NewLogger(t))
	if _, err := a.Authenticate(ctx, "bob", "bobpw", ""); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if _, err := a.Authenticate(ctx, "bob", "bobpw", ""); err != nil {
		t.Errorf("cached success while the directory is down: %v", err)
	}
	if _, err := a.Authenticate(ctx, "bob", "wrong", ""); !errors.Is(err, auth.ErrDirectory) {
		t.Errorf("directory down: %v, want ErrDirectory", err)
	}
	s.Start()
	if _, err := a.Authenticate(ctx, "alice", "alicepw", ""); err != nil {
		t.Errorf("after the directory came back: %v", err)
	}
}
