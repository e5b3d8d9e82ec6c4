package sasl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Status is the first byte of every SASL negotiation message.
type Status byte

// Negotiation statuses, as the Thrift SASL transport defines them.
const (
	StatusStart    Status = 1
	StatusOK       Status = 2
	StatusBad      Status = 3
	StatusError    Status = 4
	StatusComplete Status = 5
)

// Sentinel errors.
var (
	// ErrProtocol is a malformed or unexpected negotiation message.
	ErrProtocol = errors.New("sasl: protocol error")
	// ErrAuthFailed is a refused authentication.
	ErrAuthFailed = errors.New("sasl: authentication failed")
	// ErrMechanism is an unsupported mechanism.
	ErrMechanism = errors.New("sasl: unsupported mechanism")
)

// maxNegotiation bounds a negotiation payload: PLAIN credentials and
// Kerberos tokens are a few KiB at most.
const maxNegotiation = 64 << 10

// ReadMessage reads one negotiation message. A payload larger than max is
// refused before it is allocated.
func ReadMessage(r io.Reader, max int) (Status, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, fmt.Errorf("read sasl header: %w", err)
	}
	st := Status(hdr[0])
	if st < StatusStart || st > StatusComplete {
		return 0, nil, fmt.Errorf("%w: status byte %d (is the client using NOSASL against a SASL port?)", ErrProtocol, hdr[0])
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if int64(n) > int64(max) {
		return 0, nil, fmt.Errorf("%w: negotiation message of %d bytes exceeds %d", ErrProtocol, n, max)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, fmt.Errorf("read sasl payload: %w", err)
	}
	return st, buf, nil
}

// WriteMessage writes one negotiation message.
func WriteMessage(w io.Writer, st Status, payload []byte) error {
	buf := make([]byte, 5+len(payload))
	buf[0] = byte(st)
	binary.BigEndian.PutUint32(buf[1:], uint32(len(payload)))
	copy(buf[5:], payload)
	_, err := w.Write(buf)
	return err
}

// Credentials are what a PLAIN client sent.
type Credentials struct {
	AuthzID  string
	User     string
	Password string
}

// ParsePlain splits a PLAIN payload "[authzid]\0authcid\0password".
func ParsePlain(p []byte) (Credentials, error) {
	parts := bytes.Split(p, []byte{0})
	if len(parts) != 3 {
		return Credentials{}, fmt.Errorf("%w: PLAIN payload must be authzid\\0user\\0password", ErrProtocol)
	}
	return Credentials{AuthzID: string(parts[0]), User: string(parts[1]), Password: string(parts[2])}, nil
}

// Verifier checks PLAIN credentials and returns the authenticated user.
type Verifier func(c Credentials) (string, error)

// GSSContext is an established acceptor-side GSS-API security context.
type GSSContext interface {
	// Output is the token the client needs to finish (an AP-REP), or nil.
	Output() []byte
	// Principal is the client's full principal name.
	Principal() string
	// User is the name the session runs as.
	User() string
	// Wrap and Unwrap protect the security-layer negotiation messages.
	Wrap(payload []byte) ([]byte, error)
	Unwrap(token []byte) ([]byte, error)
}

// GSSAcceptor verifies a client's initial GSS-API token.
type GSSAcceptor interface {
	AcceptGSS(token []byte) (GSSContext, error)
}

// Mechanisms are what a server accepts; a nil field refuses that mechanism.
type Mechanisms struct {
	Plain  Verifier
	GSSAPI GSSAcceptor
}

func (m Mechanisms) names() string {
	var n []string
	if m.GSSAPI != nil {
		n = append(n, "GSSAPI")
	}
	if m.Plain != nil {
		n = append(n, "PLAIN")
	}
	return strings.Join(n, ", ")
}

// Result is who a negotiation authenticated.
type Result struct {
	// User is the session user.
	User string
	// Principal is the Kerberos principal (GSSAPI) or the PLAIN user name.
	Principal string
	// Mechanism is PLAIN or GSSAPI.
	Mechanism string
}

// QOP bits of the RFC 4752 security-layer negotiation.
const (
	qopAuth = 0x01
	// maxBuffer is what we offer as our receive buffer; with QOP auth it
	// only matters to clients that check it is non-zero.
	maxBuffer = 65536
)

// ServeHandshake runs the server side of a negotiation on rw. On failure it
// has already told the client why (BAD or ERROR) and the caller closes the
// connection.
func ServeHandshake(rw io.ReadWriter, mechs Mechanisms) (Result, error) {
	st, mech, err := ReadMessage(rw, maxNegotiation)
	if err != nil {
		return Result{}, err
	}
	if st != StatusStart {
		_ = WriteMessage(rw, StatusError, []byte("expected START"))
		return Result{}, fmt.Errorf("%w: expected START, got %d", ErrProtocol, st)
	}
	switch {
	case string(mech) == "PLAIN" && mechs.Plain != nil:
		return servePlain(rw, mechs.Plain)
	case string(mech) == "GSSAPI" && mechs.GSSAPI != nil:
		return serveGSSAPI(rw, mechs.GSSAPI)
	}
	msg := fmt.Sprintf("Unsupported mechanism type %s: this server accepts %s", mech, mechs.names())
	_ = WriteMessage(rw, StatusBad, []byte(msg))
	return Result{}, fmt.Errorf("%w: %s", ErrMechanism, mech)
}

// readResponse reads a client step, which clients send as OK (gohive,
// hive-driver, Java) or COMPLETE (Java's last step).
func readResponse(rw io.ReadWriter, what string) ([]byte, error) {
	st, payload, err := ReadMessage(rw, maxNegotiation)
	if err != nil {
		return nil, err
	}
	if st != StatusOK && st != StatusComplete {
		_ = WriteMessage(rw, StatusError, []byte("expected "+what))
		return nil, fmt.Errorf("%w: expected %s (OK or COMPLETE), got status %d", ErrProtocol, what, st)
	}
	return payload, nil
}

func servePlain(rw io.ReadWriter, verify Verifier) (Result, error) {
	payload, err := readResponse(rw, "PLAIN response")
	if err != nil {
		return Result{}, err
	}
	cred, err := ParsePlain(payload)
	if err != nil {
		_ = WriteMessage(rw, StatusError, []byte(err.Error()))
		return Result{}, err
	}
	user, err := verify(cred)
	if err != nil {
		_ = WriteMessage(rw, StatusBad, []byte("Error validating the login: "+err.Error()))
		return Result{}, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	if err := WriteMessage(rw, StatusComplete, nil); err != nil {
		return Result{}, err
	}
	name := cred.User
	if name == "" {
		name = cred.AuthzID
	}
	return Result{User: user, Principal: name, Mechanism: "PLAIN"}, nil
}

// serveGSSAPI is RFC 4752 on the acceptor side: the client's AP-REQ, our
// AP-REP (or an empty token), the client's empty step, our wrapped offer
// of QOP auth, the client's wrapped choice and authorization id.
func serveGSSAPI(rw io.ReadWriter, acc GSSAcceptor) (Result, error) {
	token, err := readResponse(rw, "GSSAPI token")
	if err != nil {
		return Result{}, err
	}
	fail := func(format string, a ...any) (Result, error) {
		err := fmt.Errorf(format, a...)
		_ = WriteMessage(rw, StatusBad, []byte("Error validating the login: "+err.Error()))
		return Result{}, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	gctx, err := acc.AcceptGSS(token)
	if err != nil {
		return fail("%w", err)
	}
	if err := WriteMessage(rw, StatusOK, gctx.Output()); err != nil {
		return Result{}, err
	}
	if _, err := readResponse(rw, "empty GSSAPI step"); err != nil {
		return Result{}, err
	}
	offer, err := gctx.Wrap([]byte{qopAuth, (maxBuffer >> 16) & 0xff, (maxBuffer >> 8) & 0xff, maxBuffer & 0xff})
	if err != nil {
		return fail("wrap the security layer offer: %v", err)
	}
	if err := WriteMessage(rw, StatusOK, offer); err != nil {
		return Result{}, err
	}
	answer, err := readResponse(rw, "GSSAPI security layer")
	if err != nil {
		return Result{}, err
	}
	choice, err := gctx.Unwrap(answer)
	if err != nil {
		return fail("security layer: %v", err)
	}
	if len(choice) < 4 {
		return fail("security layer answer of %d bytes", len(choice))
	}
	if choice[0] != qopAuth {
		return fail("the client chose security layer %#x; this server offers only QOP auth (kitsune.authentication.sasl.qop=auth)", choice[0])
	}
	if authz := string(choice[4:]); authz != "" && authz != gctx.Principal() && authz != gctx.User() {
		return fail("%s may not authorize as %s: open the session with hive.server2.proxy.user=%s instead", gctx.Principal(), authz, authz)
	}
	if err := WriteMessage(rw, StatusComplete, nil); err != nil {
		return Result{}, err
	}
	return Result{User: gctx.User(), Principal: gctx.Principal(), Mechanism: "GSSAPI"}, nil
}

// ClientPlain runs the client side of a PLAIN negotiation on rw.
func ClientPlain(rw io.ReadWriter, user, password string) error {
	if err := WriteMessage(rw, StatusStart, []byte("PLAIN")); err != nil {
		return err
	}
	return lastStep(rw, []byte("\x00"+user+"\x00"+password))
}

// lastStep sends the client's last message and waits for the server's
// COMPLETE.
func lastStep(rw io.ReadWriter, payload []byte) error {
	if err := WriteMessage(rw, StatusOK, payload); err != nil {
		return err
	}
	st, msg, err := ReadMessage(rw, maxNegotiation)
	if err != nil {
		return err
	}
	if st != StatusComplete {
		return fmt.Errorf("%w: server said: %s", ErrAuthFailed, msg)
	}
	return nil
}

// GSSInitiator is the client side of a GSS-API Kerberos context.
type GSSInitiator interface {
	// InitialToken is the AP-REQ token asking for mutual authentication.
	InitialToken() ([]byte, error)
	// VerifyReply checks the server's AP-REP.
	VerifyReply(token []byte) error
	Wrap(payload []byte) ([]byte, error)
	Unwrap(token []byte) ([]byte, error)
}

// ClientGSSAPI runs the client side of RFC 4752 on rw, choosing QOP auth.
func ClientGSSAPI(rw io.ReadWriter, gss GSSInitiator) error {
	tok, err := gss.InitialToken()
	if err != nil {
		return err
	}
	if err := WriteMessage(rw, StatusStart, []byte("GSSAPI")); err != nil {
		return err
	}
	if err := WriteMessage(rw, StatusOK, tok); err != nil {
		return err
	}
	next := func() ([]byte, error) {
		st, msg, err := ReadMessage(rw, maxNegotiation)
		if err != nil {
			return nil, err
		}
		if st != StatusOK && st != StatusComplete {
			return nil, fmt.Errorf("%w: server said: %s", ErrAuthFailed, msg)
		}
		return msg, nil
	}
	rep, err := next()
	if err != nil {
		return err
	}
	if err := gss.VerifyReply(rep); err != nil {
		return fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	if err := WriteMessage(rw, StatusOK, nil); err != nil {
		return err
	}
	offer, err := next()
	if err != nil {
		return err
	}
	layers, err := gss.Unwrap(offer)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	if len(layers) != 4 || layers[0]&qopAuth == 0 {
		return fmt.Errorf("%w: the server does not offer QOP auth", ErrAuthFailed)
	}
	answer, err := gss.Wrap([]byte{qopAuth, 0, 0, 0})
	if err != nil {
		return err
	}
	return lastStep(rw, answer)
}
