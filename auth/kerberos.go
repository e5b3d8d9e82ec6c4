package auth

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// ErrKerberos is a Kerberos token that was refused; the wrapped text says
// why (replay, skew, wrong service, expired ticket, garbage).
var ErrKerberos = errors.New("kerberos authentication failed")

// KerberosConfig configures a Kerberos acceptor.
type KerberosConfig struct {
	// Services are the principals ("service/host@REALM") this server
	// accepts tickets for, each with its keytab.
	Services []KerberosService
	// MaxClockSkew bounds the difference between the client's clock and
	// ours, and how long past its end a ticket is still honoured.
	MaxClockSkew time.Duration
	// Rules map principals to user names.
	Rules *PrincipalRules
}

// KerberosService is one service principal and the keytab holding its key.
type KerberosService struct {
	Principal string
	Keytab    string
}

// Kerberos verifies GSS-API Kerberos initial context tokens (RFC 4121),
// raw or inside SPNEGO, against service keytabs.
type Kerberos struct {
	services []kerberosKey
	skew     time.Duration
	rules    *PrincipalRules
}

type kerberosKey struct {
	name  string // "service/host"
	realm string
	kt    *keytab.Keytab
}

// NewKerberos loads the keytabs. A missing or unreadable keytab, or one
// without a key for its principal, is a startup error naming the key to fix.
func NewKerberos(cfg KerberosConfig) (*Kerberos, error) {
	k := &Kerberos{skew: cfg.MaxClockSkew, rules: cfg.Rules}
	if k.skew <= 0 {
		k.skew = 5 * time.Minute
	}
	if k.rules == nil {
		k.rules = &PrincipalRules{}
	}
	for _, s := range cfg.Services {
		name, realm, ok := strings.Cut(s.Principal, "@")
		if !ok || name == "" || realm == "" {
			return nil, fmt.Errorf("kerberos principal %q must be service/host@REALM", s.Principal)
		}
		kt, err := keytab.Load(s.Keytab)
		if err != nil {
			return nil, fmt.Errorf("kerberos keytab %s for %s: %w", s.Keytab, s.Principal, err)
		}
		found := false
		for _, e := range kt.Entries {
			found = found || (e.Principal.Realm == realm && strings.Join(e.Principal.Components, "/") == name)
		}
		if !found {
			return nil, fmt.Errorf("kerberos keytab %s has no key for %s: check the principal or run ktadd for it", s.Keytab, s.Principal)
		}
		k.services = append(k.services, kerberosKey{name: name, realm: realm, kt: kt})
	}
	if len(k.services) == 0 {
		return nil, errors.New("kerberos needs a service principal and keytab")
	}
	return k, nil
}

// Primary is an acceptor for the first service alone, sharing the loaded
// keytabs: SASL GSSAPI accepts tickets for the service principal only,
// HTTP for the SPNEGO principal too.
func (k *Kerberos) Primary() *Kerberos {
	c := *k
	c.services = k.services[:1]
	return &c
}

// Principals lists the accepted service principals.
func (k *Kerberos) Principals() []string {
	out := make([]string, len(k.services))
	for i, s := range k.services {
		out[i] = s.name + "@" + s.realm
	}
	return out
}

// GSSContext is an established security context on the acceptor side.
type GSSContext struct {
	principal string
	user      string
	output    []byte
	key       types.EncryptionKey
	seq       uint64
	spnego    bool
}

// Principal is the client's full principal name.
func (c *GSSContext) Principal() string { return c.principal }

// User is the principal's short name after the mapping rules.
func (c *GSSContext) User() string { return c.user }

// Output is the token for the client: the AP-REP when the client asked for
// mutual authentication (in a SPNEGO response when it spoke SPNEGO), or
// nil.
func (c *GSSContext) Output() []byte { return c.output }

// Accept verifies an initial context token: a GSS-API Kerberos token
// (binary SASL GSSAPI; gohive's HTTP header) or a SPNEGO NegTokenInit
// carrying one (browsers, curl, Java over HTTP).
func (k *Kerberos) Accept(token []byte) (*GSSContext, error) {
	mech, isSPNEGO, err := mechToken(token)
	if err != nil {
		return nil, err
	}
	var tok spnego.KRB5Token
	if err := tok.Unmarshal(mech); err != nil {
		return nil, fmt.Errorf("%w: not a Kerberos token: %v", ErrKerberos, err)
	}
	if !tok.IsAPReq() {
		return nil, fmt.Errorf("%w: expected an AP-REQ token", ErrKerberos)
	}
	req := &tok.APReq
	sname := req.Ticket.SName.PrincipalNameString()
	var svc *kerberosKey
	for i := range k.services {
		if k.services[i].name == sname && strings.EqualFold(k.services[i].realm, req.Ticket.Realm) {
			svc = &k.services[i]
		}
	}
	if svc == nil {
		return nil, fmt.Errorf("%w: the ticket is for %s@%s, this server is %s: use that principal in the client (principal=… in the JDBC URL)",
			ErrKerberos, sname, req.Ticket.Realm, strings.Join(k.Principals(), ", "))
	}
	settings := service.NewSettings(svc.kt, service.DecodePAC(false), service.KeytabPrincipal(svc.name), service.MaxClockSkew(k.skew))
	ok, creds, err := service.VerifyAPREQ(req, settings)
	if err != nil || !ok {
		return nil, fmt.Errorf("%w: %s", ErrKerberos, describeKRBError(err))
	}
	principal := creds.CName().PrincipalNameString() + "@" + creds.Domain()
	user, err := k.rules.ShortName(principal)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKerberos, err)
	}
	ctx := &GSSContext{principal: principal, user: user, key: req.Ticket.DecryptedEncPart.Key, spnego: isSPNEGO}
	if req.Authenticator.SubKey.KeyType != 0 {
		ctx.key = req.Authenticator.SubKey
	}
	if mutualRequested(req) {
		rep, seq, err := apRepToken(req)
		if err != nil {
			return nil, fmt.Errorf("%w: build AP-REP: %v", ErrKerberos, err)
		}
		ctx.seq = seq
		if isSPNEGO {
			resp := spnego.NegTokenResp{NegState: asn1.Enumerated(0), SupportedMech: gssapi.OIDKRB5.OID(), ResponseToken: rep}
			if rep, err = resp.Marshal(); err != nil {
				return nil, fmt.Errorf("%w: build SPNEGO response: %v", ErrKerberos, err)
			}
		}
		ctx.output = rep
	}
	return ctx, nil
}

// AcceptGSS is Accept for the SASL and HTTP servers.
func (k *Kerberos) AcceptGSS(token []byte) (sasl.GSSContext, error) {
	c, err := k.Accept(token)
	if err != nil {
		return nil, err
	}
	return c, nil
}

var _ sasl.GSSAcceptor = (*Kerberos)(nil)
var _ sasl.GSSContext = (*GSSContext)(nil)

// mechToken unwraps a SPNEGO NegTokenInit to the Kerberos token inside.
func mechToken(token []byte) ([]byte, bool, error) {
	var oid asn1.ObjectIdentifier
	if _, err := asn1.UnmarshalWithParams(token, &oid, "application,explicit,tag:0"); err != nil {
		return nil, false, fmt.Errorf("%w: not a GSS-API token: %v", ErrKerberos, err)
	}
	if !oid.Equal(gssapi.OIDSPNEGO.OID()) {
		return token, false, nil
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(token); err != nil || !st.Init {
		return nil, true, fmt.Errorf("%w: not a SPNEGO NegTokenInit: %v", ErrKerberos, err)
	}
	krb := false
	for _, m := range st.NegTokenInit.MechTypes {
		krb = krb || m.Equal(gssapi.OIDKRB5.OID()) || m.Equal(gssapi.OIDMSLegacyKRB5.OID())
	}
	if !krb || len(st.NegTokenInit.MechTokenBytes) == 0 {
		return nil, true, fmt.Errorf("%w: the SPNEGO token offers no Kerberos token (NTLM is not supported)", ErrKerberos)
	}
	return st.NegTokenInit.MechTokenBytes, true, nil
}

// mutualRequested reports whether the client wants an AP-REP: the AP
// option or the GSS flag in the authenticator checksum (RFC 4121 4.1.1).
func mutualRequested(req *messages.APReq) bool {
	if types.IsFlagSet(&req.APOptions, flags.APOptionMutualRequired) {
		return true
	}
	ck := req.Authenticator.Cksum
	if ck.CksumType == chksumtype.GSSAPI && len(ck.Checksum) >= 24 {
		return binary.LittleEndian.Uint32(ck.Checksum[20:24])&gssapi.ContextFlagMutual != 0
	}
	return false
}

// apRepToken builds the GSS-API AP-REP token that gokrb5 cannot: the
// client's time echoed, our initial sequence number, encrypted with the
// ticket's session key.
func apRepToken(req *messages.APReq) ([]byte, uint64, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, 0, err
	}
	seq := int64(binary.BigEndian.Uint32(b[:])&0x3fffffff) + 1
	part := messages.EncAPRepPart{CTime: req.Authenticator.CTime, Cusec: req.Authenticator.Cusec, SequenceNumber: seq}
	raw, err := asn1.Marshal(part)
	if err != nil {
		return nil, 0, err
	}
	raw = asn1tools.AddASNAppTag(raw, asnAppTag.EncAPRepPart)
	enc, err := crypto.GetEncryptedData(raw, req.Ticket.DecryptedEncPart.Key, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, 0, err
	}
	rep, err := asn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: enc})
	if err != nil {
		return nil, 0, err
	}
	rep = asn1tools.AddASNAppTag(rep, asnAppTag.APREP)
	oid, err := asn1.Marshal(gssapi.OIDKRB5.OID())
	if err != nil {
		return nil, 0, err
	}
	tok := append(oid, 0x02, 0x00)
	tok = append(tok, rep...)
	return asn1tools.AddASNAppTag(tok, 0), uint64(seq), nil
}

// describeKRBError turns gokrb5's errors into a sentence for the client and
// the log: the Kerberos error name is what administrators search for.
func describeKRBError(err error) string {
	if err == nil {
		return "the token did not verify"
	}
	var ke messages.KRBError
	if errors.As(err, &ke) {
		switch ke.ErrorCode {
		case 34: // KRB_AP_ERR_REPEAT
			return "KRB_AP_ERR_REPEAT: this token was already used (replay)"
		case 37: // KRB_AP_ERR_SKEW
			return "KRB_AP_ERR_SKEW: the client's clock differs from the server's by more than the allowed skew"
		case 32: // KRB_AP_ERR_TKT_EXPIRED
			return "KRB_AP_ERR_TKT_EXPIRED: the ticket has expired: kinit again"
		case 33: // KRB_AP_ERR_TKT_NYV
			return "KRB_AP_ERR_TKT_NYV: the ticket is not yet valid"
		}
		return fmt.Sprintf("%s: %s", ke.Error(), ke.EText)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "KRB_AP_ERR_TKT_EXPIRED"):
		return "KRB_AP_ERR_TKT_EXPIRED: the ticket has expired: kinit again"
	case strings.Contains(msg, "decrypting encpart"):
		return "the ticket does not decrypt with this server's keytab (wrong service or an old key version)"
	}
	return msg
}

// Wrap protects payload for the client: an RFC 4121 wrap token with
// integrity only (SASL QOP auth needs no more), sent by the acceptor.
func (c *GSSContext) Wrap(payload []byte) ([]byte, error) {
	tok, err := wrapToken(c.key, 0x01, keyusage.GSSAPI_ACCEPTOR_SEAL, c.seq, payload)
	c.seq++
	return tok, err
}

// wrapToken builds an integrity-only RFC 4121 wrap token.
func wrapToken(key types.EncryptionKey, flags byte, usage uint32, seq uint64, payload []byte) ([]byte, error) {
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	wt := gssapi.WrapToken{Flags: flags, EC: uint16(et.GetHMACBitLength() / 8), SndSeqNum: seq, Payload: payload}
	if err := wt.SetCheckSum(key, usage); err != nil {
		return nil, err
	}
	return wt.Marshal()
}

// Unwrap checks a wrap token from the client and returns its payload.
// Sealed (encrypted) tokens are refused: only QOP auth is negotiated.
func (c *GSSContext) Unwrap(token []byte) ([]byte, error) {
	wt, err := unwrapToken(c.key, token, false, keyusage.GSSAPI_INITIATOR_SEAL)
	if err != nil {
		return nil, err
	}
	return wt.Payload, nil
}

// unwrapToken checks an integrity-only RFC 4121 wrap token from the peer
// (the acceptor when fromAcceptor) with the peer's key usage.
func unwrapToken(key types.EncryptionKey, token []byte, fromAcceptor bool, usage uint32) (*gssapi.WrapToken, error) {
	if len(token) < gssapi.HdrLen {
		return nil, fmt.Errorf("%w: wrap token of %d bytes", ErrKerberos, len(token))
	}
	if token[2]&0x02 != 0 {
		return nil, fmt.Errorf("%w: the peer encrypted its wrap token; only QOP auth is supported", ErrKerberos)
	}
	// Undo a right rotation (RFC 4121 4.2.5) so the checksum is at the end.
	tok := append([]byte(nil), token...)
	if rrc := int(binary.BigEndian.Uint16(tok[6:8])); rrc > 0 && len(tok) > gssapi.HdrLen {
		body := tok[gssapi.HdrLen:]
		rrc %= len(body)
		rotated := append(append([]byte(nil), body[rrc:]...), body[:rrc]...)
		copy(body, rotated)
		binary.BigEndian.PutUint16(tok[6:8], 0)
	}
	var wt gssapi.WrapToken
	if err := wt.Unmarshal(tok, fromAcceptor); err != nil {
		return nil, fmt.Errorf("%w: wrap token: %v", ErrKerberos, err)
	}
	if ok, err := wt.Verify(key, usage); !ok {
		return nil, fmt.Errorf("%w: wrap token: %v", ErrKerberos, err)
	}
	return &wt, nil
}

// ServicePrincipal resolves _HOST in a configured principal: the bind host
// when it is a name, else this machine's host name, lower-cased, as
// HiveServer2 does.
func ServicePrincipal(principal, bindHost string) (string, error) {
	if !strings.Contains(principal, "_HOST") {
		return principal, nil
	}
	host := bindHost
	if host == "" || net.ParseIP(host) != nil {
		h, err := os.Hostname()
		if err != nil {
			return "", fmt.Errorf("resolve _HOST in %s: %w", principal, err)
		}
		host = h
	}
	return strings.ReplaceAll(principal, "_HOST", strings.ToLower(host)), nil
}
