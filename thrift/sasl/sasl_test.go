package sasl

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

type pipe struct {
	in  io.Reader
	out bytes.Buffer
}

func (p *pipe) Read(b []byte) (int, error)  { return p.in.Read(b) }
func (p *pipe) Write(b []byte) (int, error) { return p.out.Write(b) }

func msg(st Status, payload string) []byte {
	var b bytes.Buffer
	_ = WriteMessage(&b, st, []byte(payload))
	return b.Bytes()
}

func TestServeHandshake(t *testing.T) {
	ok := func(c Credentials) (string, error) {
		if c.Password != "pw" {
			return "", errors.New("no")
		}
		return c.User, nil
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		user    string
		wantErr error
		reply   Status
	}{
		{"gohive OK", append(msg(StatusStart, "PLAIN"), msg(StatusOK, "\x00ann\x00pw")...), "ann", nil, StatusComplete},
		{"jdbc COMPLETE", append(msg(StatusStart, "PLAIN"), msg(StatusComplete, "ann\x00ann\x00pw")...), "ann", nil, StatusComplete},
		{"wrong password", append(msg(StatusStart, "PLAIN"), msg(StatusOK, "\x00ann\x00x")...), "", ErrAuthFailed, StatusBad},
		{"unknown mechanism", msg(StatusStart, "DIGEST-MD5"), "", ErrMechanism, StatusBad},
		{"garbage", []byte("GET / HTTP/1.1\r\n"), "", ErrProtocol, 0},
		{"oversized", []byte{1, 0x7f, 0xff, 0xff, 0xff}, "", ErrProtocol, 0},
		{"bad payload", append(msg(StatusStart, "PLAIN"), msg(StatusOK, "nonul")...), "", ErrProtocol, StatusError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pipe{in: bytes.NewReader(tc.in)}
			res, err := ServeHandshake(p, Mechanisms{Plain: ok})
			if user := res.User; user != tc.user || (tc.wantErr == nil) != (err == nil) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("got %q, %v; want %q, %v", res.User, err, tc.user, tc.wantErr)
			}
			if tc.reply != 0 && (p.out.Len() == 0 || Status(p.out.Bytes()[0]) != tc.reply) {
				t.Errorf("reply %v, want status %d", p.out.Bytes(), tc.reply)
			}
		})
	}
}

// FuzzServeHandshake feeds arbitrary bytes to the negotiation: it must not
// panic and must not allocate beyond the negotiation limit.
func FuzzServeHandshake(f *testing.F) {
	f.Add(append(msg(StatusStart, "PLAIN"), msg(StatusOK, "\x00a\x00b")...))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add(bytes.Join([][]byte{msg(StatusStart, "GSSAPI"), msg(StatusOK, "ticket"), msg(StatusOK, ""), msg(StatusComplete, "\x01\x00\x10\x00ann")}, nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := &pipe{in: bytes.NewReader(in)}
		_, _ = ServeHandshake(p, Mechanisms{Plain: func(c Credentials) (string, error) { return c.User, nil }, GSSAPI: fakeAcceptor{}})
	})
}

// fakeAcceptor accepts the token "ticket" as ann@EXAMPLE.TEST; its wrap
// tokens are the payload itself.
type fakeAcceptor struct{}

type fakeContext struct{}

func (fakeAcceptor) AcceptGSS(token []byte) (GSSContext, error) {
	if string(token) != "ticket" {
		return nil, errors.New("bad ticket")
	}
	return fakeContext{}, nil
}

func (fakeContext) Output() []byte                  { return []byte("ap-rep") }
func (fakeContext) Principal() string               { return "ann@EXAMPLE.TEST" }
func (fakeContext) User() string                    { return "ann" }
func (fakeContext) Wrap(p []byte) ([]byte, error)   { return p, nil }
func (fakeContext) Unwrap(p []byte) ([]byte, error) { return p, nil }

func TestServeHandshakeGSSAPI(t *testing.T) {
	steps := func(authz string, layer byte) []byte {
		return bytes.Join([][]byte{msg(StatusStart, "GSSAPI"), msg(StatusOK, "ticket"), msg(StatusOK, ""),
			msg(StatusComplete, string([]byte{layer, 0, 0x10, 0})+authz)}, nil)
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		mechs   Mechanisms
		wantErr error
	}{
		{"principal as authzid", steps("ann@EXAMPLE.TEST", 1), Mechanisms{GSSAPI: fakeAcceptor{}}, nil},
		{"no authzid", steps("", 1), Mechanisms{GSSAPI: fakeAcceptor{}}, nil},
		{"another authzid", steps("root", 1), Mechanisms{GSSAPI: fakeAcceptor{}}, ErrAuthFailed},
		{"confidentiality chosen", steps("", 4), Mechanisms{GSSAPI: fakeAcceptor{}}, ErrAuthFailed},
		{"bad ticket", bytes.Join([][]byte{msg(StatusStart, "GSSAPI"), msg(StatusOK, "forged")}, nil), Mechanisms{GSSAPI: fakeAcceptor{}}, ErrAuthFailed},
		{"GSSAPI not enabled", steps("", 1), Mechanisms{Plain: func(Credentials) (string, error) { return "x", nil }}, ErrMechanism},
		{"PLAIN not enabled", append(msg(StatusStart, "PLAIN"), msg(StatusOK, "\x00ann\x00pw")...), Mechanisms{GSSAPI: fakeAcceptor{}}, ErrMechanism},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pipe{in: bytes.NewReader(tc.in)}
			res, err := ServeHandshake(p, tc.mechs)
			if (tc.wantErr == nil) != (err == nil) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("got %+v, %v; want %v", res, err, tc.wantErr)
			}
			if err == nil && (res.User != "ann" || res.Principal != "ann@EXAMPLE.TEST" || res.Mechanism != "GSSAPI") {
				t.Errorf("result %+v", res)
			}
			if err == nil {
				// OK(ap-rep), OK(offer: auth, 64 KiB), COMPLETE.
				want := bytes.Join([][]byte{msg(StatusOK, "ap-rep"), msg(StatusOK, "\x01\x01\x00\x00"), msg(StatusComplete, "")}, nil)
				if !bytes.Equal(p.out.Bytes(), want) {
					t.Errorf("server sent %q, want %q", p.out.Bytes(), want)
				}
			}
		})
	}
}
