//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/beltran/gohive"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
)

func TestLDAPAuthentication(t *testing.T) {
	s := testenv.StartSlapd(t)
	g := startGateway(t, "kitsune.authentication=LDAP", "kitsune.authentication.ldap.url="+s.URL,
		"kitsune.authentication.ldap.baseDN=dc=example,dc=test", "kitsune.authentication.ldap.userDNPattern=uid=%s,ou=people,dc=example,dc=test",
		"kitsune.authentication.ldap.groupFilter=(&(objectClass=groupOfNames)(cn=analysts)(member={dn}))", "kitsune.authentication.ldap.cache.ttl=0")
	connect := func(user, password string, http bool) (*gohive.Connection, error) {
		cfg := gohive.NewConnectConfiguration()
		cfg.Username, cfg.Password = user, password
		addr, mode := g.binAddr, "LDAP"
		if http {
			// gohive sends HTTP Basic credentials under auth "NONE".
			cfg.TransportMode, cfg.HTTPPath, addr, mode = "http", "cliservice", g.httpAddr, "NONE"
		}
		host, port := hostPort(t, addr)
		return gohive.Connect(host, port, mode, cfg)
	}
	for _, http := range []bool{false, true} {
		conn, err := connect("alice", "alicepw", http)
		if err != nil {
			t.Fatalf("alice (http=%v): %v", http, err)
		}
		if u := one(t, conn, "SELECT current_user() AS u"); u != "alice" {
			t.Errorf("current_user() = %s", u)
		}
		conn.Close()
	}
	// Every refusal reads the same, on the binary transport…
	// (An empty password is refused the same way: auth/ldap_test.go.)
	for _, c := range [][2]string{{"alice", "wrong"}, {"nobody", "pw"}, {"carol", "carolpw"}} {
		_, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: c[0], Password: c[1]})
		if err == nil || !strings.Contains(err.Error(), "Error validating the login: authentication failed") {
			t.Errorf("%v over binary: %v", c, err)
		}
	}
	// … and on HTTP.
	for _, c := range [][2]string{{"alice", "wrong"}, {"nobody", "pw"}, {"carol", "carolpw"}} {
		cl, err := client.Dial(context.Background(), client.Options{Addr: g.httpAddr, HTTPPath: "cliservice", User: c[0], Password: c[1]})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.OpenSession(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("%v over http: %v", c, err)
		}
		cl.Close()
	}
	// The directory down: a clear error (not "authentication failed"); back: recovery.
	s.Stop()
	_, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: "alice", Password: "alicepw"})
	if err == nil || !strings.Contains(err.Error(), "LDAP directory is unreachable") || !strings.Contains(err.Error(), "kitsune.authentication.ldap.url") {
		t.Errorf("directory down: %v", err)
	}
	s.Start()
	conn, err := connect("bob", "bobpw", false)
	if err != nil {
		t.Fatalf("after the directory came back: %v", err)
	}
	defer conn.Close()
	if u := one(t, conn, "SELECT current_user() AS u"); u != "bob" {
		t.Errorf("bob: %s", u)
	}
	if strings.Contains(g.out.String(), "alicepw") || strings.Contains(g.out.String(), "bobpw") {
		t.Error("a password reached the gateway's log")
	}
	if !strings.Contains(g.out.String(), "login refused") {
		t.Error("failed logins are not logged")
	}
}
