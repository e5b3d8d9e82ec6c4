package serve

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a TCLIService whose unset methods panic (the embedded nil
// interface), which is what the recovery must survive.
type fake struct {
	tcli.TCLIService
	closed chan uint64
}

func (f *fake) OpenSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	p := PeerFrom(ctx)
	return &tcli.TOpenSessionResp{Status: status.WithInfo(p.User, p.Transport), ServerProtocolVersion: req.ClientProtocol,
		SessionHandle: &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: make([]byte, 16), Secret: make([]byte, 16)}}}, nil
}

func (f *fake) ConnectionClosed(id uint64) {
	if f.closed != nil {
		f.closed <- id
	}
}

type users struct{}

func (users) Authenticate(_ context.Context, user, password, _ string) (string, error) {
	if password == "bad" {
		return "", errors.New("bad password")
	}
	return user, nil
}

func startBinary(t *testing.T, cfg Config, h tcli.TCLIService) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg, h, users{}, zaptest.NewLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.ServeBinary(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func TestBinarySASLPanicRecoveryAndDisconnect(t *testing.T) {
	f := &fake{closed: make(chan uint64, 1)}
	addr := startBinary(t, Config{}, f)
	c, err := client.Dial(context.Background(), client.Options{Addr: addr, User: "ann", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: 5})
	if err != nil || resp.Status.InfoMessages[0] != "ann" || resp.Status.InfoMessages[1] != "binary" {
		t.Fatalf("open: %v %v", resp, err)
	}
	// GetInfo is not implemented by the fake: the nil interface panics.
	info, err := c.GetInfo(context.Background(), &tcli.TGetInfoReq{SessionHandle: resp.SessionHandle})
	if err != nil {
		t.Fatalf("the panic broke the connection: %v", err)
	}
	if info.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(info.Status.GetErrorMessage(), "internal error in GetInfo") {
		t.Errorf("panic answered with %v", info.Status)
	}
	// The connection still serves after the panic.
	if _, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: 5}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-f.closed:
	case <-time.After(5 * time.Second):
		t.Error("disconnect not reported")
	}
	if _, err := client.Dial(context.Background(), client.Options{Addr: addr, User: "ann", Password: "bad"}); err == nil ||
		!strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("bad password: %v", err)
	}
}

func TestNoSASL(t *testing.T) {
	addr := startBinary(t, Config{NoSASL: true}, &fake{})
	c, err := client.Dial(context.Background(), client.Options{Addr: addr, NoSASL: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: 5}); err != nil {
		t.Fatal(err)
	}
}

func TestHTTP(t *testing.T) {
	s := New(Config{MaxMessageSize: 1 << 20}, &fake{}, users{}, zaptest.NewLogger(t))
	ts := httptest.NewServer(s)
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	c, err := client.Dial(context.Background(), client.Options{Addr: addr, HTTPPath: "cliservice", User: "hal", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: 5})
	if err != nil || resp.Status.InfoMessages[0] != "hal" || resp.Status.InfoMessages[1] != "http" {
		t.Fatalf("open over http: %v %v", resp, err)
	}
	c.Close()
	for _, tc := range []struct {
		path, auth string
		body       []byte
		want       int
	}{
		{"/other", "", nil, http.StatusNotFound},
		{"/cliservice", "bad", []byte{1}, http.StatusUnauthorized},
		{"/cliservice", "", bytes.Repeat([]byte{0}, 2<<20), http.StatusRequestEntityTooLarge},
	} {
		req, _ := http.NewRequest("POST", ts.URL+tc.path, bytes.NewReader(tc.body))
		if tc.auth != "" {
			req.SetBasicAuth("x", tc.auth)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != tc.want {
			t.Errorf("%s auth=%q: %d, want %d", tc.path, tc.auth, r.StatusCode, tc.want)
		}
	}
	ts.CloseClientConnections()
}
