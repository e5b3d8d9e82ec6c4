package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

func TestNewKerberosConfigErrors(t *testing.T) {
	if _, err := NewKerberos(KerberosConfig{Services: []KerberosService{{Principal: "hive/h@R", Keytab: "/nonexistent"}}}); err == nil || !strings.Contains(err.Error(), "/nonexistent") {
		t.Errorf("missing keytab: %v", err)
	}
	kt := keytab.New()
	if err := kt.AddEntry("hive/h", "R", "pw", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kt")
	b, _ := kt.Marshal()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewKerberos(KerberosConfig{Services: []KerberosService{{Principal: "spark/h@R", Keytab: path}}}); err == nil || !strings.Contains(err.Error(), "no key for spark/h@R") {
		t.Errorf("keytab without the principal: %v", err)
	}
	if _, err := NewKerberos(KerberosConfig{Services: []KerberosService{{Principal: "hive/h", Keytab: path}}}); err == nil {
		t.Error("a principal without realm was accepted")
	}
}

// FuzzKerberosAccept feeds arbitrary tokens to the acceptor: no panic, and
// every refusal is ErrKerberos.
func FuzzKerberosAccept(f *testing.F) {
	kt := keytab.New()
	_ = kt.AddEntry("hive/h", "R", "pw", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96)
	k := &Kerberos{services: []kerberosKey{{name: "hive/h", realm: "R", kt: kt}}, skew: time.Minute, rules: &PrincipalRules{}}
	f.Add([]byte{0x60, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00})
	f.Add([]byte{0x60, 0x06, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, tok []byte) {
		if _, err := k.Accept(tok); err != nil && !errors.Is(err, ErrKerberos) {
			t.Fatalf("refusal is not ErrKerberos: %v", err)
		}
	})
}
