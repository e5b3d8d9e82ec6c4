//go:build e2e

package auth

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/kitsune-sql/kitsune/internal/testenv"
)

// kerberosRealm starts a real MIT KDC with hive/localhost, other/localhost
// and alice, and points this process's Kerberos client at alice's cache.
func kerberosRealm(t *testing.T) (*testenv.KDC, *Kerberos) {
	kdc := testenv.StartKDC(t)
	kt := kdc.AddService("hive/localhost")
	kdc.AddService("other/localhost")
	kdc.AddUser("alice", "alicepw")
	cc := filepath.Join(kdc.Dir, "alice.cc")
	kdc.Kinit("alice", "alicepw", cc)
	t.Setenv("KRB5_CONFIG", kdc.Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+cc)
	rules, _ := ParsePrincipalRules("", "EXAMPLE.TEST")
	k, err := NewKerberos(KerberosConfig{Services: []KerberosService{{Principal: "hive/localhost@EXAMPLE.TEST", Keytab: kt}}, MaxClockSkew: time.Second, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return kdc, k
}

func TestKerberosMutualAuthAndWrap(t *testing.T) {
	_, k := kerberosRealm(t)
	ini, err := NewKerberosInitiator("hive/localhost@EXAMPLE.TEST")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ini.InitialToken()
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := k.Accept(tok)
	if err != nil {
		t.Fatalf("accept a real ticket: %v", err)
	}
	if ctx.User() != "alice" || ctx.Principal() != "alice@EXAMPLE.TEST" {
		t.Errorf("user %q principal %q", ctx.User(), ctx.Principal())
	}
	if len(ctx.Output()) == 0 {
		t.Fatal("mutual authentication asked, no AP-REP")
	}
	if err := ini.VerifyReply(ctx.Output()); err != nil {
		t.Fatalf("our AP-REP does not verify: %v", err)
	}
	offer, err := ctx.Wrap([]byte{1, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ini.Unwrap(offer); err != nil || !bytes.Equal(got, []byte{1, 0, 0, 0}) {
		t.Fatalf("client unwraps the server's offer: %v %v", got, err)
	}
	answer, _ := ini.Wrap([]byte("\x01\x00\x00\x00alice@EXAMPLE.TEST"))
	if got, err := ctx.Unwrap(answer); err != nil || string(got[4:]) != "alice@EXAMPLE.TEST" {
		t.Fatalf("server unwraps the answer: %q %v", got, err)
	}
	tampered := append([]byte(nil), answer...)
	tampered[len(tampered)-1] ^= 1
	if _, err := ctx.Unwrap(tampered); err == nil {
		t.Error("a tampered wrap token was accepted")
	}

	// The same token again is a replay.
	if _, err := k.Accept(tok); err == nil || !strings.Contains(err.Error(), "KRB_AP_ERR_REPEAT") {
		t.Errorf("replayed token: %v, want KRB_AP_ERR_REPEAT", err)
	}
}

func TestKerberosSPNEGO(t *testing.T) {
	_, k := kerberosRealm(t)
	ini, err := NewKerberosInitiator("hive/localhost")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ini.SPNEGOToken()
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := k.Accept(tok)
	if err != nil {
		t.Fatalf("SPNEGO token: %v", err)
	}
	var resp spnego.NegTokenResp
	if err := resp.Unmarshal(ctx.Output()); err != nil {
		t.Fatalf("SPNEGO answer is no NegTokenResp: %v", err)
	}
	if err := ini.VerifySPNEGOReply(ctx.Output()); err != nil {
		t.Fatalf("AP-REP inside SPNEGO: %v", err)
	}
	// An answer from a server without the service key does not verify.
	forged := append([]byte(nil), resp.ResponseToken...)
	forged[len(forged)-3] ^= 0xff
	if err := ini.VerifyReply(forged); err == nil {
		t.Error("a forged AP-REP verified")
	}
}

func TestKerberosRefusals(t *testing.T) {
	kdc, k := kerberosRealm(t)
	other, _ := NewKerberosInitiator("other/localhost")
	tok, err := other.InitialToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Accept(tok); !errors.Is(err, ErrKerberos) || !strings.Contains(err.Error(), "other/localhost") {
		t.Errorf("ticket for another service: %v", err)
	}
	for _, garbage := range [][]byte{nil, []byte("hello"), {0x60, 0x02, 0x06, 0x00}, bytes.Repeat([]byte{0x60}, 100)} {
		if _, err := k.Accept(garbage); !errors.Is(err, ErrKerberos) {
			t.Errorf("garbage %x: %v", garbage, err)
		}
	}

	// An expired service ticket: get one valid for 2 s, wait past it and
	// the 1 s skew, and present it (MIT's client would not send it).
	cc := filepath.Join(kdc.Dir, "short.cc")
	kdc.Kinit("alice", "alicepw", cc, "-l", "2s")
	kdc.Kvno("hive/localhost", cc)
	time.Sleep(4 * time.Second)
	tok = tokenFromCache(t, kdc.Conf, cc, "hive/localhost")
	if _, err := k.Accept(tok); !errors.Is(err, ErrKerberos) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired ticket: %v", err)
	}
}

// tokenFromCache builds an AP-REQ from a cached service ticket, valid or not.
func tokenFromCache(t *testing.T, confPath, ccPath, spn string) []byte {
	t.Helper()
	cfg, err := config.Load(confPath)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := client.NewFromCCache(cc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	entry, ok := cc.GetEntry(types.NewPrincipalName(0, spn))
	if !ok {
		t.Fatalf("no %s ticket in %s", spn, ccPath)
	}
	var tkt messages.Ticket
	if err := tkt.Unmarshal(entry.Ticket); err != nil {
		t.Fatal(err)
	}
	tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, entry.Key, []int{gssapi.ContextFlagMutual}, []int{flags.APOptionMutualRequired})
	if err != nil {
		t.Fatal(err)
	}
	b, err := tok.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
