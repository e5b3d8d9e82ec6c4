//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beltran/gohive"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// buildGohiveKrb builds the gohive Kerberos client (cgo, MIT GSS-API).
func buildGohiveKrb(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gohivekrb")
	cmd := exec.Command("go", "build", "-tags", "kerberos", "-o", bin, "./gohivekrb")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build gohive with -tags kerberos (needs libkrb5-dev: make deps): %v\n%s", err, out)
	}
	return bin
}

// kerberosGateway is a gateway with KERBEROS,LDAP behind a real MIT KDC and
// a real slapd.
type kerberosGateway struct {
	*gateway
	kdc     *testenv.KDC
	gohive  string
	aliceCC string
	gwCC    string
}

func startKerberosGateway(t *testing.T, methods string, extra ...string) *kerberosGateway {
	t.Helper()
	kdc := testenv.StartKDC(t)
	hiveKT := kdc.AddService("hive/localhost")
	httpKT := kdc.AddService("HTTP/localhost")
	kdc.AddService("other/localhost")
	kdc.AddUser("alice", "alicepw")
	kdc.AddUser("bob/admin", "bobpw")
	k := &kerberosGateway{kdc: kdc, aliceCC: filepath.Join(kdc.Dir, "alice.cc"), gwCC: filepath.Join(kdc.Dir, "gateway.cc")}
	kdc.Kinit("alice", "alicepw", k.aliceCC)
	confs := append([]string{"kitsune.authentication=" + methods,
		// Kyuubi's convention: the kinit principal is the service principal.
		"kitsune.kinit.principal=hive/localhost@EXAMPLE.TEST", "kitsune.kinit.keytab=" + hiveKT, "kitsune.kinit.interval=PT1S",
		"kitsune.authentication.spnego.principal=HTTP/_HOST@EXAMPLE.TEST", "kitsune.authentication.spnego.keytab=" + httpKT,
		"kitsune.frontend.bind.host=localhost",
		"kitsune.server.proxyuser.alice.users=carol", "kitsune.server.proxyuser.alice.hosts=127.0.0.1"}, extra...)
	k.gateway = startGatewayEnv(t, kdc.Env(k.gwCC), confs...)
	return k
}

// runGohive runs the gohive Kerberos client with ccache as its ticket cache.
func (k *kerberosGateway) runGohive(t *testing.T, ccache string, http bool, args ...string) (string, error) {
	t.Helper()
	addr := k.binAddr
	if http {
		addr = k.httpAddr
		args = append([]string{"-http"}, args...)
	}
	_, port := hostPort(t, addr)
	cmd := exec.Command(k.gohive, append([]string{"-host", "localhost", "-port", strconv.Itoa(port)}, args...)...)
	cmd.Env = append(os.Environ(), k.kdc.Env(ccache)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return out.String() + errb.String(), err
		}
		return strings.TrimSpace(out.String()), nil
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("gohive client hung: %s", errb.String())
		return "", nil
	}
}

func TestKerberosRealClients(t *testing.T) {
	s := testenv.StartSlapd(t)
	k := startKerberosGateway(t, "KERBEROS,LDAP", "kitsune.authentication.ldap.url="+s.URL,
		"kitsune.authentication.ldap.userDNPattern=uid=%s,ou=people,dc=example,dc=test")
	k.gohive = buildGohiveKrb(t)

	// MIT kinit + gohive (libgssapi_krb5) over binary SASL GSSAPI and
	// HTTP SPNEGO: current_user() is the principal's short name.
	for _, http := range []bool{false, true} {
		out, err := k.runGohive(t, k.aliceCC, http, "SELECT current_user() AS u", "SELECT current_user() AS u")
		if err != nil {
			t.Fatalf("gohive Kerberos (http=%v): %v\n%s", http, err, out)
		}
		if out != "alice\nalice" {
			t.Errorf("gohive Kerberos (http=%v): current_user() = %q, want alice twice", http, out)
		}
	}
	// An instance principal maps to its first component.
	bobCC := filepath.Join(k.kdc.Dir, "bob.cc")
	k.kdc.Kinit("bob/admin", "bobpw", bobCC)
	if out, err := k.runGohive(t, bobCC, false, "SELECT current_user() AS u"); err != nil || out != "bob" {
		t.Errorf("bob/admin: %q, %v", out, err)
	}

	// KERBEROS,LDAP on one port: an LDAP client at the same time.
	conn, err := k.gohivePassword(t, "bob", "bobpw")
	if err != nil {
		t.Fatalf("LDAP client beside Kerberos: %v", err)
	}
	if u := one(t, conn, "SELECT current_user() AS u"); u != "bob" {
		t.Errorf("LDAP bob: %s", u)
	}
	conn.Close()
	hc, err := client.Dial(context.Background(), client.Options{Addr: k.httpAddr, HTTPPath: "cliservice", User: "bob", Password: "bobpw"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := hc.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10}); err != nil || resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("LDAP over HTTP Basic beside SPNEGO: %v %v", resp, err)
	}
	hc.Close()
	if _, err := client.Dial(context.Background(), client.Options{Addr: k.binAddr, User: "bob", Password: "wrong"}); err == nil ||
		!strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("LDAP wrong password beside Kerberos: %v", err)
	}

	// Impersonation with a Kerberos identity: allowed and denied.
	if out, err := k.runGohive(t, k.aliceCC, false, "-conf", "hive.server2.proxy.user=carol", "SELECT current_user() AS u"); err != nil || out != "carol" {
		t.Errorf("alice as carol: %q, %v", out, err)
	}
	if out, err := k.runGohive(t, k.aliceCC, false, "-conf", "hive.server2.proxy.user=dave", "SELECT current_user() AS u"); err == nil ||
		!strings.Contains(out, "alice may not run sessions as dave") {
		t.Errorf("alice as dave: %q, %v", out, err)
	}

	// No ticket: a clear error, from the client library.
	empty := filepath.Join(k.kdc.Dir, "empty.cc")
	if out, err := k.runGohive(t, empty, false, "SELECT 1"); err == nil {
		t.Errorf("no ticket: connected: %s", out)
	} else {
		t.Logf("no ticket: %s", out)
	}
	// A ticket for another service: the gateway refuses it and says why.
	if out, err := k.runGohive(t, k.aliceCC, false, "-service", "other", "SELECT 1"); err == nil {
		t.Errorf("ticket for other/localhost accepted: %s", out)
	} else if !strings.Contains(k.out.String(), "the ticket is for other/localhost@EXAMPLE.TEST") {
		t.Errorf("wrong service: client %q; the gateway log does not say why:\n%s", out, k.out.String())
	}
	// An expired ticket.
	shortCC := filepath.Join(k.kdc.Dir, "short.cc")
	k.kdc.Kinit("alice", "alicepw", shortCC, "-l", "1s")
	time.Sleep(2 * time.Second)
	if out, err := k.runGohive(t, shortCC, false, "SELECT 1"); err == nil {
		t.Errorf("expired ticket: connected: %s", out)
	} else {
		t.Logf("expired ticket: %s", out)
	}

	// kitsune beeline from the ticket cache, binary and HTTP, with _HOST.
	t.Setenv("KRB5_CONFIG", k.kdc.Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+k.aliceCC)
	_, bport := hostPort(t, k.binAddr)
	_, hport := hostPort(t, k.httpAddr)
	for _, url := range []string{
		"jdbc:hive2://localhost:" + strconv.Itoa(bport) + "/default;principal=hive/_HOST@EXAMPLE.TEST",
		"jdbc:hive2://localhost:" + strconv.Itoa(hport) + "/default;transportMode=http;httpPath=cliservice;principal=hive/_HOST@EXAMPLE.TEST",
	} {
		out, errOut, code := runBeeline(t, "", "-u", url, "--outputformat=csv", "--silent=true", "-e", "SELECT current_user() AS u")
		if code != 0 || !strings.Contains(out, "alice") {
			t.Errorf("beeline %s: exit %d, out %q, err %q", url, code, out, errOut)
		}
	}
	t.Setenv("KRB5CCNAME", "FILE:"+empty)
	_, errOut, code := runBeeline(t, "", "-u", "jdbc:hive2://localhost:"+strconv.Itoa(bport)+"/default;principal=hive/_HOST@EXAMPLE.TEST", "-e", "SELECT 1")
	if code == 0 || !strings.Contains(errOut, "kinit") {
		t.Errorf("beeline without a ticket: exit %d, %q", code, errOut)
	}

	// A replayed token is refused.
	t.Setenv("KRB5CCNAME", "FILE:"+k.aliceCC)
	ini, err := auth.NewKerberosInitiator("hive/localhost@EXAMPLE.TEST")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ini.InitialToken()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []sasl.Status{sasl.StatusOK, sasl.StatusBad} {
		c, err := net.Dial("tcp", k.binAddr)
		if err != nil {
			t.Fatal(err)
		}
		_ = sasl.WriteMessage(c, sasl.StatusStart, []byte("GSSAPI"))
		_ = sasl.WriteMessage(c, sasl.StatusOK, tok)
		st, msg, err := sasl.ReadMessage(c, 1<<20)
		c.Close()
		if err != nil || st != want {
			t.Errorf("token use %d: status %d %q %v, want %d", i+1, st, msg, err, want)
		}
		if want == sasl.StatusBad && !strings.Contains(string(msg), "replay") {
			t.Errorf("replay refused without saying so: %q", msg)
		}
	}

	// The gateway's own ticket (kinit loop) is in its credential cache and
	// renewed.
	if out, err := k.kdc.Klist(k.gwCC); err != nil || !strings.Contains(out, "hive/localhost@EXAMPLE.TEST") {
		t.Errorf("gateway ticket cache: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(k.out.String(), "kinit done") < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := strings.Count(k.out.String(), "kinit done"); n < 2 {
		t.Errorf("kinit ran %d times in 10s with kitsune.kinit.interval=PT1S", n)
	}
	if strings.Contains(k.out.String(), "bobpw") || strings.Contains(k.out.String(), "alicepw") {
		t.Error("a password reached the gateway's log")
	}
}

// gohivePassword connects gohive with LDAP credentials on the binary port.
func (k *kerberosGateway) gohivePassword(t *testing.T, user, password string) (*gohive.Connection, error) {
	cfg := gohive.NewConnectConfiguration()
	cfg.Username, cfg.Password = user, password
	host, port := hostPort(t, k.binAddr)
	return gohive.Connect(host, port, "LDAP", cfg)
}

func TestKerberosOnly(t *testing.T) {
	k := startKerberosGateway(t, "KERBEROS")
	// Password logins are refused with the mechanisms this port accepts.
	_, err := client.Dial(context.Background(), client.Options{Addr: k.binAddr, User: "alice", Password: "alicepw"})
	if err == nil || !strings.Contains(err.Error(), "Unsupported mechanism type PLAIN: this server accepts GSSAPI") {
		t.Errorf("PLAIN against KERBEROS: %v", err)
	}
	resp, err := http.Post("http://"+k.httpAddr+"/cliservice", "application/x-thrift", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Negotiate" {
		t.Errorf("HTTP without a token: %d %q, want 401 Negotiate", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	// One SPNEGO login per HTTP client: the cookie stands for it afterwards.
	t.Setenv("KRB5_CONFIG", k.kdc.Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+k.aliceCC)
	_, hport := hostPort(t, k.httpAddr)
	before := strings.Count(k.out.String(), "kerberos login")
	url := "jdbc:hive2://localhost:" + strconv.Itoa(hport) + "/default;transportMode=http;httpPath=cliservice;principal=hive/_HOST@EXAMPLE.TEST"
	out, errOut, code := runBeeline(t, "", "-u", url, "--outputformat=csv", "--silent=true", "-e", "SELECT current_user() AS u", "-e", "SELECT 2 AS two")
	if code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, "2") {
		t.Fatalf("beeline over SPNEGO: %d %q %q", code, out, errOut)
	}
	if n := strings.Count(k.out.String(), "kerberos login") - before; n != 1 {
		t.Errorf("%d Kerberos logins for one HTTP client, want 1 (the cookie)", n)
	}

	// curl --negotiate (MIT SPNEGO, asks for HTTP/localhost and checks the
	// mutual-authentication answer): past authentication, the body is no
	// Thrift call (400), not 401.
	curl := exec.Command("curl", "-sS", "--negotiate", "-u", ":", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x",
		"http://localhost:"+strconv.Itoa(hport)+"/cliservice")
	curl.Env = append(os.Environ(), k.kdc.Env(k.aliceCC)...)
	if out, err := curl.CombinedOutput(); err != nil || string(out) != "400" {
		t.Errorf("curl --negotiate: %v %q", err, out)
	}

	// A cookie is honoured only as signed.
	ini, err := auth.NewKerberosInitiator("HTTP/localhost@EXAMPLE.TEST")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ini.SPNEGOToken()
	if err != nil {
		t.Fatal(err)
	}
	post := func(header, value string) *http.Response {
		req, _ := http.NewRequest("POST", "http://"+k.httpAddr+"/cliservice", strings.NewReader("x"))
		req.Header.Set(header, value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// The HTTP/ principal (browsers, curl) is accepted too; the answer
	// carries the AP-REP and the cookie.
	resp = post("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
	if resp.StatusCode == http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate ") {
		t.Fatalf("SPNEGO for HTTP/localhost: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "hive.server2.auth" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("no HttpOnly hive.server2.auth cookie: %v", resp.Cookies())
	}
	if r := post("Cookie", cookie.Name+"="+cookie.Value); r.StatusCode == http.StatusUnauthorized {
		t.Errorf("the cookie was not honoured: %d", r.StatusCode)
	}
	forged := strings.Replace(cookie.Value, "u=alice", "u=root", 1)
	if r := post("Cookie", cookie.Name+"="+forged); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a forged cookie (%s) got %d, want 401", forged, r.StatusCode)
	}
}

func TestKerberosStartupErrors(t *testing.T) {
	kdc := testenv.StartKDC(t)
	kt := kdc.AddService("hive/localhost")
	for _, tc := range []struct {
		confs []string
		want  string
	}{
		{[]string{"kitsune.authentication=KERBEROS"}, "kitsune.authentication=KERBEROS needs kitsune.authentication.kerberos.principal"},
		{[]string{"kitsune.authentication=KERBEROS", "kitsune.authentication.kerberos.principal=hive/localhost@EXAMPLE.TEST", "kitsune.authentication.kerberos.keytab=/nonexistent.keytab"}, "/nonexistent.keytab"},
		{[]string{"kitsune.authentication=KERBEROS", "kitsune.authentication.kerberos.principal=spark/localhost@EXAMPLE.TEST", "kitsune.authentication.kerberos.keytab=" + kt}, "has no key for spark/localhost@EXAMPLE.TEST"},
		{[]string{"kitsune.authentication=KERBEROS", "kitsune.authentication.sasl.qop=auth-conf"}, "kitsune.authentication.sasl.qop=auth-conf is not supported: only auth"},
		{[]string{"kitsune.authentication=KERBEROS", "kitsune.authentication.kerberos.principal=hive/localhost@EXAMPLE.TEST", "kitsune.authentication.kerberos.keytab=" + kt, "kitsune.authentication.kerberos.principal.rules=RULE:[oops"}, "kitsune.authentication.kerberos.principal.rules"},
		{[]string{"kitsune.kinit.principal=nobody@EXAMPLE.TEST", "kitsune.kinit.keytab=" + kt}, "kinit failed for kitsune.kinit.principal=nobody@EXAMPLE.TEST"},
		{[]string{"kitsune.authentication=NOSASL,KERBEROS"}, "NOSASL must stand alone"},
	} {
		args := []string{"server", "--conf", "kitsune.frontend.thrift.binary.bind.port=0", "--conf", "kitsune.frontend.thrift.http.bind.port=0", "--conf", "kitsune.frontend.rest.bind.port=0", "--conf", "kitsune.metrics.prometheus.port=0", "--conf", "kitsune.server.work.dir=" + t.TempDir()}
		for _, c := range tc.confs {
			args = append(args, "--conf", c)
		}
		cmd := exec.Command(kitsuneBin, args...)
		cmd.Env = append(os.Environ(), kdc.Env(filepath.Join(kdc.Dir, "gw.cc"))...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: err=%v, output lacks %q:\n%s", tc.confs, err, tc.want, out)
		}
	}
}

// TestKerberosZooKeeperDiscovery: a gateway publishing its configuration
// names its principal in its znode, so that a client discovering it through
// ZooKeeper needs no principal in the URL (Hive JDBC does the same).
func TestKerberosZooKeeperDiscovery(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	k := startKerberosGateway(t, "KERBEROS", "kitsune.ha.addresses="+z.Addr, "kitsune.ha.namespace=krb_e2e", testSecret,
		"kitsune.ha.zookeeper.publish.configs=true", "kitsune.session.engine.idle.timeout=PT2S")
	t.Setenv("KRB5_CONFIG", k.kdc.Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+k.aliceCC)
	url := "jdbc:hive2://" + z.Addr + "/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=krb_e2e"
	out, errOut, code := runBeeline(t, "", "-u", url, "--outputformat=csv", "--silent=true", "-e", "SELECT current_user() AS u")
	if code != 0 || !strings.Contains(out, "alice") {
		t.Errorf("beeline via ZooKeeper with the published principal: %d %q %q", code, out, errOut)
	}
}
