package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Slapd is a running OpenLDAP server with suffix dc=example,dc=test,
// users alice, bob (in group analysts) and carol (not), passwords
// <name>pw, and admin cn=admin,dc=example,dc=test / adminpw.
type Slapd struct {
	URL  string
	t    testing.TB
	dir  string
	port int
}

const people = `dn: dc=example,dc=test
objectClass: top
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=test
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=test
objectClass: organizationalUnit
ou: groups
`

// StartSlapd starts Debian's slapd on a free port; it is stopped at the end
// of the test.
func StartSlapd(t testing.TB) *Slapd {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/slapd"); err != nil {
		t.Fatalf("slapd is not installed: run scripts/install-test-deps.sh (make deps): %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile %s/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=example,dc=test"
rootdn "cn=admin,dc=example,dc=test"
rootpw adminpw
directory %s/db
`, dir, dir)
	if err := os.WriteFile(filepath.Join(dir, "slapd.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ldif := people
	for _, u := range []string{"alice", "bob", "carol"} {
		ldif += fmt.Sprintf("\ndn: uid=%s,ou=people,dc=example,dc=test\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %spw\n", u, u, u, u, u)
	}
	ldif += "\ndn: cn=analysts,ou=groups,dc=example,dc=test\nobjectClass: groupOfNames\ncn: analysts\n" +
		"member: uid=alice,ou=people,dc=example,dc=test\nmember: uid=bob,ou=people,dc=example,dc=test\n"
	if err := os.WriteFile(filepath.Join(dir, "people.ldif"), []byte(ldif), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/usr/sbin/slapadd", "-f", filepath.Join(dir, "slapd.conf"), "-l", filepath.Join(dir, "people.ldif")).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}
	s := &Slapd{t: t, dir: dir, port: FreePort(t)}
	s.URL = "ldap://127.0.0.1:" + strconv.Itoa(s.port)
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the server on its port.
func (s *Slapd) Start() {
	s.t.Helper()
	if out, err := exec.Command("/usr/sbin/slapd", "-f", filepath.Join(s.dir, "slapd.conf"), "-h", s.URL+"/").CombinedOutput(); err != nil {
		s.t.Fatalf("slapd: %v\n%s", err, out)
	}
	if !waitListening(s.port, 10*time.Second) {
		s.t.Fatalf("slapd did not listen on %s", s.URL)
	}
}

// Stop stops the server (the data stays for Start).
func (s *Slapd) Stop() {
	b, err := os.ReadFile(filepath.Join(s.dir, "slapd.pid"))
	if err != nil {
		return
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid <= 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	_ = os.Remove(filepath.Join(s.dir, "slapd.pid"))
}
