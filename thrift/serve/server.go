package serve

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/thrift/framing"
	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// Authenticator checks a user's password and returns the user name the
// session runs as. Defined here, where it is consumed.
type Authenticator interface {
	Authenticate(ctx context.Context, user, password, remoteAddr string) (string, error)
}

// DisconnectListener, when the handler implements it, learns that a binary
// connection ended so that the sessions it opened can be closed.
type DisconnectListener interface {
	ConnectionClosed(connID uint64)
}

// RawProvider, when the handler implements it, replaces the generated
// processing of some methods (by name) with functions that may pass replies
// through without decoding them.
type RawProvider interface {
	RawFunctions() map[string]thrift.TProcessorFunction
}

// Config configures a Server.
type Config struct {
	// NoSASL serves raw binary Thrift with no SASL negotiation.
	NoSASL bool
	// MaxMessageSize bounds a frame, a string or an HTTP body, in bytes.
	MaxMessageSize int64
	// HTTPPath is the path of the HTTP transport, without slashes.
	HTTPPath string
	// Kerberos, when set, accepts SASL GSSAPI on the binary transport.
	Kerberos sasl.GSSAcceptor
	// SPNEGO, when set, accepts "Authorization: Negotiate" on HTTP.
	SPNEGO sasl.GSSAcceptor
	// Cookie configures the HTTP authentication cookie.
	Cookie CookieConfig
	// LoginTimeout bounds a binary connection's TLS and SASL handshake,
	// including the wait for a login slot. Zero means 20 s.
	LoginTimeout time.Duration
	// MaxConcurrentLogins bounds the binary handshakes in progress. Zero
	// means 64.
	MaxConcurrentLogins int
	// Observer learns of logins, connections and calls (metrics, audit);
	// nil: nobody does.
	Observer Observer
}

// Observer is what the serving layer tells of its traffic.
type Observer interface {
	// Login is one credential check: over transport (binary, http) by
	// method (PLAIN, KERBEROS, NOSASL); err says why it failed.
	Login(transport, method, user, addr string, err error)
	// ConnectionOpen counts a binary connection (+1) and its end (-1).
	ConnectionOpen(transport string, delta float64)
	// Call is one TCLIService call and its latency.
	Call(method string, took time.Duration)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) Login(string, string, string, string, error) {}
func (nopObserver) ConnectionOpen(string, float64)              {}
func (nopObserver) Call(string, time.Duration)                  {}

// Server serves one TCLIService handler over the binary and HTTP transports.
type Server struct {
	cfg     Config
	handler tcliservice.TCLIService
	proc    thrift.TProcessor
	auth    Authenticator
	lg      *zap.Logger
	tcfg    *thrift.TConfiguration
	nextID  atomic.Uint64
	cookies *cookieSigner

	mu struct {
		sync.Mutex
		conns map[net.Conn]struct{}
	}
	wg    sync.WaitGroup
	force chan struct{}
	once  sync.Once
	// logins holds one token per binary handshake in progress.
	logins chan struct{}
}

// ForceClose ends a drain: connections still open after ServeBinary
// stopped accepting are closed.
func (s *Server) ForceClose() { s.once.Do(func() { close(s.force) }) }

// openConns counts the open binary connections.
func (s *Server) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.conns)
}

// New returns a Server for handler. The handler is wrapped so that panics
// are answered per call. A nil auth refuses PLAIN and Basic logins (Kerberos
// only).
func New(cfg Config, handler tcliservice.TCLIService, auth Authenticator, lg *zap.Logger) *Server {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 100 << 20
	}
	if cfg.HTTPPath == "" {
		cfg.HTTPPath = "cliservice"
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = 20 * time.Second
	}
	if cfg.MaxConcurrentLogins <= 0 {
		cfg.MaxConcurrentLogins = 64
	}
	// The generated processors start a goroutine and a 5 ms ticker per call
	// to notice clients that went away, unless this library-wide setting is
	// 0: calls then run on the connection's goroutine (the hot path), and a
	// panic reaches the recovery middleware.
	thrift.ServerConnectivityCheckInterval = 0
	raw := tcliservice.NewTCLIServiceProcessor(handler)
	if rp, ok := handler.(RawProvider); ok {
		for name, fn := range rp.RawFunctions() {
			raw.AddToProcessorMap(name, fn)
		}
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	proc := middleware(raw, lg, cfg.Observer)
	s := &Server{
		cfg:     cfg,
		handler: handler,
		proc:    proc,
		auth:    auth,
		lg:      lg,
		tcfg: &thrift.TConfiguration{
			MaxMessageSize: int32(cfg.MaxMessageSize),
			MaxFrameSize:   int32(cfg.MaxMessageSize),
		},
	}
	s.mu.conns = map[net.Conn]struct{}{}
	s.force = make(chan struct{})
	s.logins = make(chan struct{}, cfg.MaxConcurrentLogins)
	if cfg.Cookie.Enabled {
		if cfg.Cookie.Keys == nil {
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			cfg.Cookie.Keys = func() [][]byte { return [][]byte{key} }
		}
		if cfg.Cookie.Name == "" {
			cfg.Cookie.Name = "hive.server2.auth"
		}
		if cfg.Cookie.MaxAge <= 0 {
			cfg.Cookie.MaxAge = 24 * time.Hour
		}
		s.cookies = &cookieSigner{cfg: cfg.Cookie}
	}
	return s
}

// ServeBinary accepts binary Thrift connections on ln until ctx is done or
// ln fails; then it lets open connections finish until they end or
// ForceClose is called, closes what is left and waits for their goroutines.
// The caller passes ownership of ln.
func (s *Server) ServeBinary(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer s.closeConns()
	defer s.drain()
	var tempDelay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				tempDelay = min(max(2*tempDelay, 5*time.Millisecond), time.Second)
				time.Sleep(tempDelay)
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		tempDelay = 0
		s.track(c, true)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.track(c, false)
			s.serveConn(ctx, c)
		}()
	}
}

func (s *Server) track(c net.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.mu.conns[c] = struct{}{}
	} else {
		delete(s.mu.conns, c)
	}
}

func (s *Server) drain() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for s.openConns() > 0 {
		select {
		case <-s.force:
			return
		case <-t.C:
		}
	}
}

func (s *Server) closeConns() {
	s.mu.Lock()
	for c := range s.mu.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	defer c.Close()
	id := s.nextID.Add(1)
	peer := Peer{ConnID: id, Addr: c.RemoteAddr().String(), Transport: "binary"}
	trans, ok := s.login(ctx, c, &peer)
	if !ok {
		return
	}
	s.cfg.Observer.ConnectionOpen("binary", 1)
	defer s.cfg.Observer.ConnectionOpen("binary", -1)
	prot := thrift.NewTBinaryProtocolConf(trans, s.tcfg)
	// Calls outlive the serving context: a gateway that stops drains, and
	// its open sessions' calls go on until their connections are closed
	// (ForceClose); every call still has the connection's identity.
	cctx := WithPeer(context.WithoutCancel(ctx), peer)
	if dl, ok := s.handler.(DisconnectListener); ok {
		defer dl.ConnectionClosed(id)
	}
	for {
		ok, err := s.proc.Process(cctx, prot, prot)
		switch {
		case err != nil && isClosed(err):
			return
		case !ok:
			// A request that could not be read or a reply that could not be
			// written leaves the stream out of step: close, so the client
			// gets an error instead of waiting.
			s.lg.Warn("closing connection after a failed call", zap.String("remote", peer.Addr), zap.Error(err))
			return
		case err != nil:
			s.lg.Debug("thrift call failed", zap.String("remote", peer.Addr), zap.Error(err))
		}
	}
}

// login runs the SASL handshake of a binary connection (none with NOSASL)
// and returns the transport its calls go over; false: the login failed
// and the connection is to be closed.
func (s *Server) login(ctx context.Context, c net.Conn, peer *Peer) (thrift.TTransport, bool) {
	if s.cfg.NoSASL {
		s.cfg.Observer.Login("binary", "NOSASL", "", peer.Addr, nil)
		return thrift.NewTBufferedTransport(thrift.NewTSocketFromConnConf(c, s.tcfg), 64<<10), true
	}
	// The whole login must end by the deadline: a client that connects
	// and says nothing, or says it slowly, gives its connection back.
	deadline := time.Now().Add(s.cfg.LoginTimeout)
	_ = c.SetDeadline(deadline)
	mechs := sasl.Mechanisms{}
	// A login refused for want of a slot is told so, past the deadline
	// that ended its wait.
	busy := func() { _ = c.SetWriteDeadline(time.Now().Add(time.Second)) }
	if s.cfg.Kerberos != nil {
		mechs.GSSAPI = slotAcceptor{s: s, ctx: ctx, deadline: deadline, inner: s.cfg.Kerberos, busy: busy}
	}
	tried := "" // the user a refused PLAIN login named, for the observer
	if s.auth != nil {
		mechs.Plain = func(cr sasl.Credentials) (string, error) {
			u := cr.User
			if u == "" {
				u = cr.AuthzID
			}
			tried = u
			release, err := s.loginSlot(ctx, deadline)
			if err != nil {
				busy()
				return "", err
			}
			defer release()
			return s.auth.Authenticate(ctx, u, cr.Password, peer.Addr)
		}
	}
	res, err := sasl.ServeHandshake(c, mechs)
	mech, who := res.Mechanism, res.User
	if err != nil && tried != "" {
		mech, who = "PLAIN", tried
	}
	s.cfg.Observer.Login("binary", mech, who, peer.Addr, err)
	if err != nil {
		fields := []zap.Field{zap.String("remote", peer.Addr), zap.Error(err)}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			fields = append(fields, zap.String("reason", "the login did not finish within kitsune.frontend.thrift.login.timeout"))
		}
		s.lg.Warn("connection refused", fields...)
		return nil, false
	}
	if res.Mechanism == "GSSAPI" {
		s.lg.Info("kerberos login", zap.String("principal", res.Principal), zap.String("user", res.User), zap.String("remote", peer.Addr))
	}
	peer.User, peer.Principal = res.User, res.Principal
	_ = c.SetDeadline(time.Time{})
	// A reply leaves in one write; no buffer is kept per connection
	// beyond the message in flight.
	return framing.New(c, s.tcfg.MaxFrameSize), true
}

// basicHTTP checks r's Basic credentials (none: anonymous); on failure it
// has answered the request.
func (s *Server) basicHTTP(w http.ResponseWriter, r *http.Request, peer *Peer, challenge func()) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = "anonymous", ""
	}
	authUser, err := s.auth.Authenticate(r.Context(), user, pass, r.RemoteAddr)
	s.cfg.Observer.Login("http", "PLAIN", user, r.RemoteAddr, err)
	if err != nil {
		s.lg.Warn("http authentication failed", zap.String("user", user), zap.String("remote", r.RemoteAddr), zap.Error(err))
		var u interface{ Unavailable() bool }
		if errors.As(err, &u) && u.Unavailable() {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		} else {
			challenge()
			http.Error(w, "authentication failed", http.StatusUnauthorized)
		}
		return false
	}
	peer.User, peer.Principal = authUser, user
	return true
}

func isClosed(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var te thrift.TTransportException
	if errors.As(err, &te) && te.TypeId() == thrift.END_OF_FILE {
		return true
	}
	return strings.Contains(err.Error(), "use of closed network connection") || strings.Contains(err.Error(), "connection reset")
}

// ServeHTTP serves one Thrift call per POST on the configured path, with
// Basic authentication (user and password checked by the Authenticator).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Trim(r.URL.Path, "/") != s.cfg.HTTPPath {
		http.Error(w, "not found: the Thrift HTTP path is /"+s.cfg.HTTPPath, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed: POST Thrift messages", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > s.cfg.MaxMessageSize {
		http.Error(w, fmt.Sprintf("request of %d bytes exceeds kitsune.frontend.thrift.max.message.size (%d)", r.ContentLength, s.cfg.MaxMessageSize), http.StatusRequestEntityTooLarge)
		return
	}
	peer, ok := s.authenticateHTTP(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxMessageSize))
	if err != nil {
		http.Error(w, fmt.Sprintf("read request: %v (limit kitsune.frontend.thrift.max.message.size=%d)", err, s.cfg.MaxMessageSize), http.StatusRequestEntityTooLarge)
		return
	}
	in := thrift.NewTMemoryBufferLen(0)
	_, _ = in.Write(body)
	out := thrift.NewTMemoryBufferLen(4096)
	inProt := thrift.NewTBinaryProtocolConf(in, s.tcfg)
	outProt := thrift.NewTBinaryProtocolConf(out, s.tcfg)
	if _, err := s.proc.Process(WithPeer(r.Context(), peer), inProt, outProt); err != nil && out.Len() == 0 {
		http.Error(w, "bad thrift request: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-thrift")
	_, _ = w.Write(out.Bytes())
}

// authenticateHTTP finds who sent r: a valid cookie, else a Negotiate
// (SPNEGO or raw Kerberos) token, else Basic credentials. On failure it has
// answered the request.
func (s *Server) authenticateHTTP(w http.ResponseWriter, r *http.Request) (Peer, bool) {
	peer := Peer{Addr: r.RemoteAddr, Transport: "http"}
	if s.cookies != nil {
		if u := s.cookies.user(r); u != "" {
			peer.User, peer.Principal = u, u
			return peer, true
		}
	}
	authz := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(authz, " ")
	challenge := func() {
		if s.cfg.SPNEGO != nil {
			w.Header().Add("WWW-Authenticate", "Negotiate")
		}
		if s.auth != nil {
			w.Header().Add("WWW-Authenticate", `Basic realm="kitsune"`)
		}
	}
	negotiate := strings.EqualFold(scheme, "Negotiate") && s.cfg.SPNEGO != nil
	if negotiate || s.auth != nil {
		release, err := s.loginSlot(r.Context(), time.Now().Add(s.cfg.LoginTimeout))
		if err != nil {
			s.lg.Warn("http authentication failed", zap.String("remote", r.RemoteAddr), zap.Error(err))
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return peer, false
		}
		defer release()
	}
	switch {
	case negotiate:
		token, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			s.lg.Warn("http authentication failed", zap.String("remote", r.RemoteAddr), zap.String("reason", "Negotiate token is not base64"))
			challenge()
			http.Error(w, "authentication failed: the Negotiate token is not base64", http.StatusUnauthorized)
			return peer, false
		}
		gctx, err := s.cfg.SPNEGO.AcceptGSS(token)
		if err != nil {
			s.cfg.Observer.Login("http", "KERBEROS", "", r.RemoteAddr, err)
			s.lg.Warn("http authentication failed", zap.String("remote", r.RemoteAddr), zap.Error(err))
			challenge()
			http.Error(w, "authentication failed: "+err.Error(), http.StatusUnauthorized)
			return peer, false
		}
		if out := gctx.Output(); len(out) > 0 {
			w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(out))
		}
		s.lg.Info("kerberos login", zap.String("principal", gctx.Principal()), zap.String("user", gctx.User()), zap.String("remote", r.RemoteAddr))
		peer.User, peer.Principal = gctx.User(), gctx.Principal()
		s.cfg.Observer.Login("http", "KERBEROS", peer.User, r.RemoteAddr, nil)
	case s.auth != nil:
		if !s.basicHTTP(w, r, &peer, challenge) {
			return peer, false
		}
	default:
		s.lg.Warn("http authentication failed", zap.String("remote", r.RemoteAddr), zap.String("reason", "no Negotiate token"))
		challenge()
		http.Error(w, "authentication failed: this server needs Kerberos (Authorization: Negotiate); kinit and connect with a principal", http.StatusUnauthorized)
		return peer, false
	}
	if s.cookies != nil {
		http.SetCookie(w, s.cookies.issue(peer.User, r.TLS != nil))
	}
	return peer, true
}
