//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// testSecret is the engine secret the HA tests' gateways share: with
// ZooKeeper and no ZooKeeper authentication a gateway refuses to keep the
// secret in ZooKeeper.
const testSecret = "kitsune.engine.security.secret=e2e-deployment-secret"

// Without ZooKeeper authentication the engine secret would be readable by
// anyone who can read ZooKeeper: the gateway refuses to start and names the
// keys to set.
func TestEngineSecretNotKeptInAnOpenZooKeeper(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	cmd := exec.Command(kitsuneBin, "server", "--conf", "kitsune.frontend.thrift.binary.bind.port=0", "--conf", "kitsune.frontend.thrift.http.bind.port=0", "--conf", "kitsune.frontend.rest.bind.port=0", "--conf", "kitsune.metrics.prometheus.port=0",
		"--conf", "kitsune.server.work.dir="+t.TempDir(), "--conf", "kitsune.ha.addresses="+z.Addr, "--conf", "kitsune.ha.namespace=open_zk")
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the gateway started with its engine secret in an unauthenticated ZooKeeper")
	}
	if err == nil || !strings.Contains(string(out), "kitsune.engine.security.secret") || !strings.Contains(string(out), "kitsune.ha.zookeeper.auth.type=DIGEST") {
		t.Errorf("exit %v, output:\n%s", err, out)
	}
}

// With DIGEST authentication the secret and the cookie key live in nodes
// only the gateways' identity can read: an unauthenticated client, or one
// with another identity, cannot read them; a node an older version left
// readable by all is restricted at start; a cookie made from the engine
// secret (as older versions derived it) is refused; a direct engine
// connection without the secret is refused.
func TestEngineSecretPrivateInZooKeeper(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	const ns = "private_zk"
	ctx := context.Background()
	open, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	// An older gateway left the secret readable by all.
	if _, err := open.Create(ctx, "/"+ns+"_secret", []byte("legacy-secret"), discovery.Persistent); err != nil {
		t.Fatal(err)
	}
	ldap := testenv.StartSlapd(t)
	g := startGateway(t, "kitsune.ha.addresses="+z.Addr, "kitsune.ha.namespace="+ns, "kitsune.session.engine.idle.timeout=PT3S",
		"kitsune.ha.zookeeper.auth.type=DIGEST", "kitsune.ha.zookeeper.auth.digest=gw:zkpw",
		"kitsune.authentication=LDAP", "kitsune.authentication.ldap.url="+ldap.URL,
		"kitsune.authentication.ldap.userDNPattern=uid=%s,ou=people,dc=example,dc=test", "kitsune.authentication.ldap.cache.ttl=0")
	other, err := zk.Dial(zk.Config{Addresses: []string{z.Addr}, Digest: "intruder:pw"}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, node := range []string{"/" + ns + "_secret", "/" + ns + "_cookie_key"} {
		for name, c := range map[string]discovery.Conn{"unauthenticated": open, "another identity": other} {
			if b, err := c.Get(ctx, node); !errors.Is(err, discovery.ErrNoAuth) {
				t.Errorf("%s client read %s: %q %v", name, node, b, err)
			}
		}
	}
	// The gateway kept using the deployment's secret: the engine takes it,
	// and refuses a connection without it.
	gc, err := client.Dial(ctx, client.Options{Addr: g.binAddr, User: "alice", Password: "alicepw"})
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	if r, err := gc.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10}); err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("session through the gateway: %v %v", err, r)
	}
	addr := engineAddr(t, filepath.Join(g.workDir, "alice"))
	for pw, ok := range map[string]bool{"legacy-secret": true, "guess": false, "": false} {
		c, err := client.Dial(ctx, client.Options{Addr: addr, User: "alice", Password: pw, Timeout: 5 * time.Second})
		if err == nil {
			var r *tcli.TOpenSessionResp
			r, err = c.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
			if err == nil && r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
				err = errors.New(r.Status.GetErrorMessage())
			}
			c.Close()
		}
		if (err == nil) != ok {
			t.Errorf("direct engine connection with password %q: %v, want accepted=%v", pw, err, ok)
		}
	}
	// A cookie signed with a key derived from the engine secret, as older
	// versions derived it, is not honoured.
	key := sha256.Sum256([]byte("kitsune http cookie\x00legacy-secret"))
	exp := time.Now().Add(time.Hour).Unix()
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte("alice\x00" + strconv.FormatInt(exp, 10)))
	v := url.Values{"u": {"alice"}, "e": {strconv.FormatInt(exp, 10)}, "s": {hex.EncodeToString(m.Sum(nil))}}
	req, _ := http.NewRequest("POST", "http://"+g.httpAddr+"/cliservice", bytes.NewReader([]byte{0x80, 0x01}))
	req.Header.Set("Content-Type", "application/x-thrift")
	req.AddCookie(&http.Cookie{Name: "hive.server2.auth", Value: v.Encode()})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a cookie derived from the engine secret: HTTP %d, want 401", resp.StatusCode)
	}
}

// engineAddr reads the address a user's engine logged when ready.
func engineAddr(t *testing.T, userDir string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(userDir, "engine-*.log"))
	re := regexp.MustCompile(`engine ready.*"addr": "([^"]+)"`)
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no engine address in %s/engine-*.log", userDir)
	return ""
}
