package auth

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// KerberosInitiator is the client side of a Kerberos login from the user's
// ticket cache (what kinit left), for kitsune beeline: it asks for mutual
// authentication and checks the server's AP-REP, which gokrb5's own client
// cannot.
type KerberosInitiator struct {
	cl        *client.Client
	principal string
	spn       string
	key       types.EncryptionKey
	sentTime  time.Time
	sentUsec  int
	seq       uint64
	peerSeq   uint64
	verified  bool
}

var _ sasl.GSSInitiator = (*KerberosInitiator)(nil)

// NewKerberosInitiator loads krb5.conf (KRB5_CONFIG, else /etc/krb5.conf)
// and the credential cache (KRB5CCNAME, else /tmp/krb5cc_<uid>) to log in
// to service principal spn ("hive/host@REALM" or "hive/host").
func NewKerberosInitiator(spn string) (*KerberosInitiator, error) {
	confPath := os.Getenv("KRB5_CONFIG")
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	cfg, err := config.Load(confPath)
	if err != nil {
		return nil, fmt.Errorf("kerberos: read %s (set KRB5_CONFIG): %w", confPath, err)
	}
	ccPath := os.Getenv("KRB5CCNAME")
	if ccPath == "" {
		ccPath = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
	}
	if kind, path, ok := strings.Cut(ccPath, ":"); ok {
		if kind != "FILE" {
			return nil, fmt.Errorf("kerberos: credential cache %s: only FILE: caches are supported", ccPath)
		}
		ccPath = path
	}
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		return nil, fmt.Errorf("kerberos: no ticket in %s: run kinit first: %w", ccPath, err)
	}
	cl, err := client.NewFromCCache(cc, cfg, client.DisablePAFXFAST(true))
	if err != nil {
		return nil, fmt.Errorf("kerberos: ticket cache %s: run kinit first: %w", ccPath, err)
	}
	name, _, _ := strings.Cut(spn, "@")
	return &KerberosInitiator{cl: cl, spn: name, principal: cc.DefaultPrincipal.PrincipalName.PrincipalNameString() + "@" + cc.DefaultPrincipal.Realm}, nil
}

// Principal is the client's principal (from the ticket cache).
func (k *KerberosInitiator) Principal() string { return k.principal }

// InitialToken returns the GSS-API Kerberos AP-REQ token for the service,
// asking for mutual authentication and integrity.
func (k *KerberosInitiator) InitialToken() ([]byte, error) {
	tkt, key, err := k.cl.GetServiceTicket(k.spn)
	if err != nil {
		return nil, fmt.Errorf("kerberos: get a ticket for %s (is the principal right, and the TGT still valid? kinit again): %w", k.spn, err)
	}
	// Built here rather than with spnego.NewKRB5TokenAPREQ, which does not
	// let us see the authenticator's time that the AP-REP must echo.
	a, err := types.NewAuthenticator(k.cl.Credentials.Domain(), k.cl.Credentials.CName())
	if err != nil {
		return nil, fmt.Errorf("kerberos: build the authenticator: %w", err)
	}
	ck := make([]byte, 24)
	binary.LittleEndian.PutUint32(ck[:4], 16)
	binary.LittleEndian.PutUint32(ck[20:], uint32(gssapi.ContextFlagMutual|gssapi.ContextFlagInteg|gssapi.ContextFlagSequence))
	a.Cksum = types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: ck}
	req, err := messages.NewAPReq(tkt, key, a)
	if err != nil {
		return nil, fmt.Errorf("kerberos: build the AP-REQ: %w", err)
	}
	types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
	raw, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: marshal the AP-REQ: %w", err)
	}
	oid, err := asn1.Marshal(gssapi.OIDKRB5.OID())
	if err != nil {
		return nil, err
	}
	k.key = key
	// Kerberos times travel in whole seconds.
	k.sentTime, k.sentUsec = a.CTime.Truncate(time.Second), a.Cusec
	k.seq = uint64(a.SeqNumber)
	tok := append(append(oid, 0x01, 0x00), raw...)
	return asn1tools.AddASNAppTag(tok, 0), nil
}

// SPNEGOToken wraps the initial token in a SPNEGO NegTokenInit, for the
// HTTP Authorization: Negotiate header.
func (k *KerberosInitiator) SPNEGOToken() ([]byte, error) {
	mech, err := k.InitialToken()
	if err != nil {
		return nil, err
	}
	st := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes: []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()}, MechTokenBytes: mech}}
	return st.Marshal()
}

// VerifySPNEGOReply checks the server's answer on HTTP: a SPNEGO
// NegTokenResp carrying the AP-REP, or a bare AP-REP token.
func (k *KerberosInitiator) VerifySPNEGOReply(token []byte) error {
	if len(token) > 0 && token[0] == 0xa1 {
		var resp spnego.NegTokenResp
		if err := resp.Unmarshal(token); err != nil {
			return fmt.Errorf("kerberos: the server's SPNEGO answer: %w", err)
		}
		if len(resp.ResponseToken) == 0 {
			return nil
		}
		token = resp.ResponseToken
	}
	return k.VerifyReply(token)
}

// VerifyReply checks the server's AP-REP: it proves the server holds the
// service key (mutual authentication).
func (k *KerberosInitiator) VerifyReply(token []byte) error {
	var tok spnego.KRB5Token
	if err := tok.Unmarshal(token); err != nil {
		return fmt.Errorf("kerberos: the server's reply is not a Kerberos token: %w", err)
	}
	if tok.IsKRBError() {
		return fmt.Errorf("kerberos: the server answered %s", tok.KRBError.Error())
	}
	if !tok.IsAPRep() {
		return fmt.Errorf("kerberos: the server's reply is not an AP-REP")
	}
	plain, err := crypto.DecryptEncPart(tok.APRep.EncPart, k.key, keyusage.AP_REP_ENCPART)
	if err != nil {
		return fmt.Errorf("kerberos: the server's AP-REP does not decrypt: not the real service: %w", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return fmt.Errorf("kerberos: AP-REP: %w", err)
	}
	if !part.CTime.Equal(k.sentTime) || part.Cusec != k.sentUsec {
		return fmt.Errorf("kerberos: the server's AP-REP does not echo our authenticator (%v/%d, sent %v/%d)", part.CTime, part.Cusec, k.sentTime, k.sentUsec)
	}
	if part.Subkey.KeyType != 0 {
		k.key = part.Subkey
	}
	k.peerSeq = uint64(part.SequenceNumber)
	k.verified = true
	return nil
}

// Wrap protects payload (integrity only, initiator's key usage).
func (k *KerberosInitiator) Wrap(payload []byte) ([]byte, error) {
	tok, err := wrapToken(k.key, 0x00, keyusage.GSSAPI_INITIATOR_SEAL, k.seq, payload)
	k.seq++
	return tok, err
}

// Unwrap checks a wrap token from the server and returns its payload.
func (k *KerberosInitiator) Unwrap(token []byte) ([]byte, error) {
	if !k.verified {
		return nil, fmt.Errorf("kerberos: the server did not authenticate itself (no AP-REP)")
	}
	wt, err := unwrapToken(k.key, token, true, keyusage.GSSAPI_ACCEPTOR_SEAL)
	if err != nil {
		return nil, err
	}
	if wt.SndSeqNum != k.peerSeq {
		return nil, fmt.Errorf("kerberos: server wrap token out of sequence")
	}
	k.peerSeq++
	return wt.Payload, nil
}
