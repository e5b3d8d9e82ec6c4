package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

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
}

// Server serves one TCLIService handler over the binary and HTTP transports.
type Server struct {
	cfg     Config
	handler tcliservice.TCLIService
	proc    thrift.TProcessor
	auth    Authenticator
	lg      *zap.Logger
	tcfg    *thrift.TConfiguration
	nextID  atomic.Uint64

	mu struct {
		sync.Mutex
		conns map[net.Conn]struct{}
	}
	wg    sync.WaitGroup
	force chan struct{}
	once  sync.Once
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
// are answered per call.
func New(cfg Config, handler tcliservice.TCLIService, auth Authenticator, lg *zap.Logger) *Server {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 100 << 20
	}
	if cfg.HTTPPath == "" {
		cfg.HTTPPath = "cliservice"
	}
	proc := tcliservice.NewTCLIServiceProcessor(Recovering(handler, lg))
	if rp, ok := handler.(RawProvider); ok {
		for name, fn := range rp.RawFunctions() {
			proc.AddToProcessorMap(name, fn)
		}
	}
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
	var trans thrift.TTransport
	if s.cfg.NoSASL {
		trans = thrift.NewTBufferedTransport(thrift.NewTSocketFromConnConf(c, s.tcfg), 64<<10)
	} else {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		user, err := sasl.ServeHandshake(c, func(cr sasl.Credentials) (string, error) {
			u := cr.User
			if u == "" {
				u = cr.AuthzID
			}
			peer.Password = cr.Password
			return s.auth.Authenticate(ctx, u, cr.Password, peer.Addr)
		})
		if err != nil {
			s.lg.Warn("connection refused", zap.String("remote", peer.Addr), zap.Error(err))
			return
		}
		_ = c.SetReadDeadline(time.Time{})
		peer.User = user
		// Buffer under the framing so that a reply leaves in one write.
		trans = thrift.NewTFramedTransportConf(thrift.NewTBufferedTransport(thrift.NewTSocketFromConnConf(c, s.tcfg), 64<<10), s.tcfg)
	}
	prot := thrift.NewTBinaryProtocolConf(trans, s.tcfg)
	cctx := WithPeer(ctx, peer)
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
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = "anonymous", ""
	}
	peer := Peer{User: user, Password: pass, Addr: r.RemoteAddr, Transport: "http"}
	authUser, err := s.auth.Authenticate(r.Context(), user, pass, r.RemoteAddr)
	if err != nil {
		s.lg.Warn("http authentication failed", zap.String("user", user), zap.String("remote", r.RemoteAddr), zap.Error(err))
		var u interface{ Unavailable() bool }
		if errors.As(err, &u) && u.Unavailable() {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="kitsune"`)
			http.Error(w, "authentication failed", http.StatusUnauthorized)
		}
		return
	}
	peer.User = authUser
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
