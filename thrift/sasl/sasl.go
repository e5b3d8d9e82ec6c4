package sasl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// ServeHandshake runs the server side of a negotiation on rw. It returns
// the authenticated user; on failure it has already told the client why
// (BAD or ERROR) and the caller closes the connection.
func ServeHandshake(rw io.ReadWriter, verify Verifier) (string, error) {
	st, mech, err := ReadMessage(rw, maxNegotiation)
	if err != nil {
		return "", err
	}
	if st != StatusStart {
		_ = WriteMessage(rw, StatusError, []byte("expected START"))
		return "", fmt.Errorf("%w: expected START, got %d", ErrProtocol, st)
	}
	if string(mech) != "PLAIN" {
		msg := fmt.Sprintf("Unsupported mechanism type %s", mech)
		_ = WriteMessage(rw, StatusBad, []byte(msg))
		return "", fmt.Errorf("%w: %s", ErrMechanism, mech)
	}
	// Clients send the initial response with OK (gohive, hive-driver) or
	// COMPLETE (Hive JDBC); both carry the PLAIN payload.
	st, payload, err := ReadMessage(rw, maxNegotiation)
	if err != nil {
		return "", err
	}
	if st != StatusOK && st != StatusComplete {
		_ = WriteMessage(rw, StatusError, []byte("expected PLAIN response"))
		return "", fmt.Errorf("%w: expected OK or COMPLETE, got %d", ErrProtocol, st)
	}
	cred, err := ParsePlain(payload)
	if err != nil {
		_ = WriteMessage(rw, StatusError, []byte(err.Error()))
		return "", err
	}
	user, err := verify(cred)
	if err != nil {
		_ = WriteMessage(rw, StatusBad, []byte("Error validating the login: "+err.Error()))
		return "", fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	if err := WriteMessage(rw, StatusComplete, nil); err != nil {
		return "", err
	}
	return user, nil
}

// ClientPlain runs the client side of a PLAIN negotiation on rw.
func ClientPlain(rw io.ReadWriter, user, password string) error {
	if err := WriteMessage(rw, StatusStart, []byte("PLAIN")); err != nil {
		return err
	}
	payload := []byte("\x00" + user + "\x00" + password)
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
