//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
)

// testCerts writes a CA and a server keystore (cert + key) for 127.0.0.1.
func testCerts(t *testing.T) (keystore, ca string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kitsune test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	caCert, _ := x509.ParseCertificate(caDER)
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	dir := t.TempDir()
	keystore, ca = filepath.Join(dir, "server.pem"), filepath.Join(dir, "ca.pem")
	ks := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})...)
	_ = os.WriteFile(keystore, ks, 0o600)
	_ = os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644)
	return keystore, ca
}

func TestTLS(t *testing.T) {
	keystore, ca := testCerts(t)
	g := startGateway(t, "kitsune.frontend.ssl.keystore="+keystore)
	for _, url := range []string{
		"jdbc:hive2://" + g.binAddr + "/default;ssl=true;sslTrustStore=" + ca,
		"jdbc:hive2://" + g.httpAddr + "/default;transportMode=http;httpPath=cliservice;ssl=true;sslTrustStore=" + ca,
	} {
		out, errOut, code := runBeeline(t, "", "-u", url, "-n", "tess", "--outputformat=csv", "--silent=true", "-e", "SELECT current_user() AS u")
		if code != 0 || out != "u\ntess\n" {
			t.Errorf("%s: exit %d %q %s", url, code, out, errOut)
		}
	}
	// Without the CA the certificate is refused; plaintext to a TLS port fails cleanly.
	_, errOut, code := runBeeline(t, "", "-u", "jdbc:hive2://"+g.binAddr+"/default;ssl=true", "-n", "tess", "-e", "SELECT 1")
	if code == 0 || !strings.Contains(errOut, "certificate") {
		t.Errorf("unknown CA: exit %d %s", code, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := client.Dial(ctx, client.Options{Addr: g.binAddr, User: "tess", Password: "x"}); err == nil {
		c.Close()
		t.Error("plaintext SASL to the TLS port succeeded")
	}
	out, _, code := runBeeline(t, "", "-u", "jdbc:hive2://"+g.binAddr+"/default;ssl=true;sslTrustStore="+ca, "-n", "tess", "--silent=true", "--outputformat=csv", "-e", "SELECT 1 AS one")
	if code != 0 || out != "one\n1\n" {
		t.Errorf("after a plaintext attempt: exit %d %q", code, out)
	}
}
