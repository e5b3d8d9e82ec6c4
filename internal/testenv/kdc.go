package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// KDC is a running MIT Kerberos KDC for realm EXAMPLE.TEST on loopback.
type KDC struct {
	// Realm is EXAMPLE.TEST.
	Realm string
	// Dir holds the configuration, database, keytabs and credential caches.
	Dir string
	// Conf is the krb5.conf clients use (KRB5_CONFIG).
	Conf string
	t    testing.TB
	cmd  *exec.Cmd
	env  []string
}

// StartKDC creates a realm database and starts krb5kdc on a free port; it
// is stopped at the end of the test.
func StartKDC(t testing.TB) *KDC {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/krb5kdc"); err != nil {
		t.Fatalf("krb5kdc is not installed: run scripts/install-test-deps.sh (make deps): %v", err)
	}
	dir := t.TempDir()
	port := FreePort(t)
	k := &KDC{Realm: "EXAMPLE.TEST", Dir: dir, Conf: filepath.Join(dir, "krb5.conf"), t: t}
	krb5 := fmt.Sprintf(`[libdefaults]
 default_realm = EXAMPLE.TEST
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
 dns_canonicalize_hostname = false
 udp_preference_limit = 1
 default_ccache_name = FILE:%s/ccache
[realms]
 EXAMPLE.TEST = {
  kdc = 127.0.0.1:%d
 }
`, dir, port)
	kdc := fmt.Sprintf(`[kdcdefaults]
 kdc_listen = 127.0.0.1:%d
 kdc_tcp_listen = 127.0.0.1:%d
[realms]
 EXAMPLE.TEST = {
  database_name = %s/principal
  key_stash_file = %s/stash
  acl_file = %s/kadm5.acl
 }
`, port, port, dir, dir, dir)
	for name, body := range map[string]string{"krb5.conf": krb5, "kdc.conf": kdc, "kadm5.acl": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.env = append(os.Environ(), "KRB5_CONFIG="+k.Conf, "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"), "KRB5CCNAME=FILE:"+filepath.Join(dir, "ccache"))
	k.run("/usr/sbin/kdb5_util", "create", "-s", "-P", "masterpass", "-r", k.Realm)
	k.cmd = exec.Command("/usr/sbin/krb5kdc", "-n", "-P", filepath.Join(dir, "kdc.pid"))
	k.cmd.Env = k.env
	k.cmd.Stdout, k.cmd.Stderr = nil, nil
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("krb5kdc: %v", err)
	}
	t.Cleanup(k.stop)
	if !waitListening(port, 10*time.Second) {
		t.Fatalf("krb5kdc did not listen on 127.0.0.1:%d", port)
	}
	return k
}

func (k *KDC) stop() {
	if k.cmd != nil && k.cmd.Process != nil {
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
	}
}

func (k *KDC) run(name string, args ...string) string {
	k.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = k.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		k.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Env is the environment a Kerberos client of this realm needs: KRB5_CONFIG
// and KRB5CCNAME pointing at ccache (a path).
func (k *KDC) Env(ccache string) []string {
	return []string{"KRB5_CONFIG=" + k.Conf, "KRB5CCNAME=FILE:" + ccache}
}

// AddService creates a service principal with a random key (name like
// "hive/localhost") and returns a keytab holding it.
func (k *KDC) AddService(name string) string {
	k.t.Helper()
	kt := filepath.Join(k.Dir, strings.ReplaceAll(name, "/", "_")+".keytab")
	k.run("/usr/sbin/kadmin.local", "-q", "addprinc -randkey "+name)
	k.run("/usr/sbin/kadmin.local", "-q", "ktadd -k "+kt+" "+name)
	return kt
}

// AddUser creates a user principal with a password.
func (k *KDC) AddUser(name, password string) {
	k.t.Helper()
	k.run("/usr/sbin/kadmin.local", "-q", "addprinc -pw "+password+" "+name)
}

// Kinit gets a ticket for user into the credential cache at ccache, with
// MIT kinit; extra arguments (e.g. "-l", "5s") go before the principal.
func (k *KDC) Kinit(user, password, ccache string, extra ...string) {
	k.t.Helper()
	args := append([]string{"-c", "FILE:" + ccache}, extra...)
	cmd := k.client(ccache, "kinit", append(args, user)...)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		k.t.Fatalf("kinit %s: %v\n%s", user, err, out)
	}
}

// Kvno fetches a service ticket for service into ccache (MIT kvno).
func (k *KDC) Kvno(service, ccache string) {
	k.t.Helper()
	if out, err := k.client(ccache, "kvno", "-c", "FILE:"+ccache, service).CombinedOutput(); err != nil {
		k.t.Fatalf("kvno %s: %v\n%s", service, err, out)
	}
}

// Klist lists ccache (MIT klist).
func (k *KDC) Klist(ccache string) (string, error) {
	out, err := k.client(ccache, "klist", "-c", "FILE:"+ccache).CombinedOutput()
	return string(out), err
}

// client is an MIT client command of this realm using ccache.
func (k *KDC) client(ccache, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), k.Env(ccache)...)
	return cmd
}
