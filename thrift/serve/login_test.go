package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
)

// slowUsers blocks the check of user "slow" until release is closed, as a
// directory that stopped answering would.
type slowUsers struct{ release chan struct{} }

func (u slowUsers) Authenticate(ctx context.Context, user, _, _ string) (string, error) {
	if user == "slow" {
		select {
		case <-u.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return user, nil
}

// serveFor starts s on a loopback listener until the test ends.
func serveFor(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.ServeBinary(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); s.ForceClose(); <-done })
	return ln.Addr().String()
}

func dialAsync(addr, user string) chan error {
	done := make(chan error, 1)
	go func() {
		c, err := client.Dial(context.Background(), client.Options{Addr: addr, User: user, Password: "pw"})
		if err == nil {
			c.Close()
		}
		done <- err
	}()
	return done
}

func slotsHeld(s *Server, n int) func() error {
	return func() error {
		if got := len(s.logins); got != n {
			return errors.New("login slots held: " + strings.Repeat("|", got))
		}
		return nil
	}
}

// A credential check waits while every slot is held by another check, and
// runs as soon as one is given back.
func TestLoginSlotsBoundCredentialChecks(t *testing.T) {
	u := slowUsers{release: make(chan struct{})}
	s := New(Config{MaxConcurrentLogins: 1, LoginTimeout: time.Minute}, &fake{}, u, zaptest.NewLogger(t))
	addr := serveFor(t, s)
	slow := dialAsync(addr, "slow")
	testenv.Eventually(t, 5*time.Second, slotsHeld(s, 1))
	quick := dialAsync(addr, "ann")
	select {
	case err := <-quick:
		t.Fatalf("a second check ran while the only slot was held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(u.release)
	for _, done := range []chan error{slow, quick} {
		if err := <-done; err != nil {
			t.Fatalf("login after the slot freed: %v", err)
		}
	}
	testenv.Eventually(t, 5*time.Second, slotsHeld(s, 0))
}

// A login that finds no slot within its login timeout fails with a message
// that names the key to raise; the held check is unaffected.
func TestLoginSlotWaitEndsAtTimeout(t *testing.T) {
	u := slowUsers{release: make(chan struct{})}
	s := New(Config{MaxConcurrentLogins: 1, LoginTimeout: 500 * time.Millisecond}, &fake{}, u, zaptest.NewLogger(t))
	addr := serveFor(t, s)
	slow := dialAsync(addr, "slow")
	testenv.Eventually(t, 5*time.Second, slotsHeld(s, 1))
	err := <-dialAsync(addr, "ann")
	if err == nil || !strings.Contains(err.Error(), "kitsune.frontend.thrift.login.max.concurrent") {
		t.Errorf("login without a slot: %v, want a refusal naming kitsune.frontend.thrift.login.max.concurrent", err)
	}
	// HTTP logins share the slots: 503, naming the key.
	req := httptest.NewRequest(http.MethodPost, "/cliservice", strings.NewReader(""))
	req.SetBasicAuth("ann", "pw")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "kitsune.frontend.thrift.login.max.concurrent") {
		t.Errorf("HTTP login without a slot: %d %q, want 503 naming the key", rec.Code, rec.Body.String())
	}
	close(u.release)
	<-slow
}

// A connection that never finishes its login is closed at the login
// timeout, and holds no login slot meanwhile.
func TestLoginTimeoutClosesSilentConnections(t *testing.T) {
	s := New(Config{MaxConcurrentLogins: 1, LoginTimeout: 300 * time.Millisecond}, &fake{}, users{}, zaptest.NewLogger(t))
	addr := serveFor(t, s)
	var conns []net.Conn
	for range 3 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		conns = append(conns, nc)
	}
	if err := <-dialAsync(addr, "ann"); err != nil {
		t.Errorf("a login beside silent connections: %v", err)
	}
	for _, nc := range conns {
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("the server kept a silent connection past its login timeout")
		}
	}
}
