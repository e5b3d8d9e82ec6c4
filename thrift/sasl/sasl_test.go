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
			user, err := ServeHandshake(p, ok)
			if user != tc.user || (tc.wantErr == nil) != (err == nil) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("got %q, %v; want %q, %v", user, err, tc.user, tc.wantErr)
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
	f.Fuzz(func(t *testing.T, in []byte) {
		p := &pipe{in: bytes.NewReader(in)}
		_, _ = ServeHandshake(p, func(c Credentials) (string, error) { return c.User, nil })
	})
}
