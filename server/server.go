package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/batch"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/eventlog"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/tenancy"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// Server is one kitsune gateway process.
type Server struct {
	// serving is closed once the gateway serves and, with ZooKeeper, is
	// registered: clients that discover gateways find it from then on.
	serving    chan struct{}
	meta       store.Store
	handler    *handler
	keeperStop func()
	kinit      *auth.Kinit
	// krbPrincipal is the Kerberos service principal, published with the
	// registration.
	krbPrincipal string
	registry     *discovery.Registry
	zkConn       discovery.Conn
	cfg          *conf.Config
	lg           *zap.Logger
	pool         *engine.Pool
	mgr          *session.Manager
	thrift       *serve.Server
	binLn        net.Listener
	httpLn       net.Listener
	httpSrv      *http.Server
	restLn       net.Listener
	restSrv      *http.Server
	metricsLn    net.Listener
	metricsSrv   *http.Server
	obs          *observer
	started      time.Time
	rest         http.Handler
	batches      *batch.Manager
	workDir      string
	ha           *haParts
	spaces       tenancy.Spaces
	authz        *authzParts
}

// New builds a gateway and binds its listeners, so that the addresses are
// known (and taken) before Run.
func New(cfg *conf.Config, lg *zap.Logger) (*Server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the kitsune executable to launch engines: %w", err)
	}
	return NewWithExecutable(cfg, exe, lg)
}

// NewWithExecutable is New with an explicit kitsune binary for engines. It
// assembles the gateway from one builder per subsystem (wire_*.go).
func NewWithExecutable(cfg *conf.Config, exe string, lg *zap.Logger) (_ *Server, err error) {
	a, err := buildAuth(cfg, lg)
	if err != nil {
		return nil, err
	}
	obs, err := buildObserver(cfg, cfg.WorkDir, lg)
	if err != nil {
		return nil, err
	}
	workDir, err := filepath.Abs(cfg.WorkDir)
	if err != nil {
		return nil, fmt.Errorf("kitsune.server.work.dir=%s: %w", cfg.WorkDir, err)
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, fmt.Errorf("kitsune.server.work.dir=%s: %w", cfg.WorkDir, err)
	}
	az, err := buildAuthz(context.Background(), cfg, workDir, lg)
	if err != nil {
		return nil, err
	}
	ha, err := buildHA(cfg, lg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			ha.close()
		}
	}()
	secret, err := engineSecret(cfg, ha.registry, ha.digest)
	if err != nil {
		return nil, err
	}
	groups, err := buildGroups(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := buildPool(cfg, exe, workDir, secret, ha, groups, az, obs, lg)
	if err != nil {
		return nil, err
	}
	meta, mgr, err := buildSessions(cfg, workDir, secret, pool, obs, lg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			meta.Close()
		}
	}()
	h, err := buildHandler(cfg, mgr, groups, obs, lg)
	if err != nil {
		return nil, err
	}
	scfg, err := serveConfig(cfg, a, ha, lg)
	if err != nil {
		return nil, err
	}
	scfg.Observer = obs
	s := &Server{serving: make(chan struct{}), meta: meta, handler: h, cfg: cfg, lg: lg, pool: pool, mgr: mgr, kinit: a.kinit,
		krbPrincipal: a.principal(), thrift: serve.New(scfg, h, a.password(), lg), workDir: workDir, ha: ha, spaces: ha.spaces, obs: obs, authz: az}
	s.zkConn, s.registry = ha.conn, ha.registry
	if err := s.listen(cfg); err != nil {
		return nil, err
	}
	if err := s.listenMetrics(); err != nil {
		s.closeListeners()
		return nil, err
	}
	s.mgr.SetGateway(s.BinaryAddr() + "," + s.HTTPAddr())
	s.buildREST(a)
	obs.server = s.restInstance()
	s.watch()
	return s, nil
}

// BinaryAddr is the binary transport's address ("" when not served).
func (s *Server) BinaryAddr() string {
	if s.binLn == nil {
		return ""
	}
	return s.binLn.Addr().String()
}

// HTTPAddr is the HTTP transport's address ("" when not served).
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// RESTAddr is the REST API's address ("" when not served).
func (s *Server) RESTAddr() string {
	if s.restLn == nil {
		return ""
	}
	return s.restLn.Addr().String()
}

// REST is the REST API's handler (served on RESTAddr).
func (s *Server) REST() http.Handler { return s.rest }

// Serving is closed once the gateway serves and is registered.
func (s *Server) Serving() <-chan struct{} { return s.serving }

// Run serves until ctx is done; then it stops accepting, closes every
// session, stops the engines it launched and returns.
func (s *Server) Run(ctx context.Context) error {
	s.lg.Info("kitsune gateway serving", zap.String("binary", s.BinaryAddr()), zap.String("http", s.HTTPAddr()), zap.String("rest", s.RESTAddr()))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	listeners, errc := s.serveTransports(sctx, cancel)
	var keeperDone chan string
	if s.registry != nil && s.binLn != nil {
		var kcancel context.CancelFunc
		keeperDone, kcancel = s.keepRegistration(cancel)
		defer kcancel()
	}
	s.started = time.Now()
	ectx, ecancel := context.WithCancel(context.Background())
	if s.obs.events != nil {
		go func() { _ = s.obs.events.Run(ectx) }()
		defer s.obs.events.Wait()
	}
	defer ecancel()
	s.obs.events.Emit(eventlog.ServerInfo, s.serverEvent("STARTED"))
	defer func() { s.obs.events.Emit(eventlog.ServerInfo, s.serverEvent("STOPPED")) }()
	close(s.serving)
	mctx, mcancel := context.WithCancel(context.Background())
	var bgwg sync.WaitGroup
	if s.kinit != nil {
		bgwg.Add(1)
		go func() { defer bgwg.Done(); _ = s.kinit.Run(mctx) }()
	}
	if s.authz.run != nil {
		bgwg.Add(1)
		go func() { defer bgwg.Done(); s.authz.run(mctx) }()
	}
	bgwg.Add(3)
	go func() { defer bgwg.Done(); _ = s.batches.Run(mctx) }()
	go func() { defer bgwg.Done(); _ = s.mgr.Run(mctx) }()
	go func() { defer bgwg.Done(); _ = s.pool.Run(mctx) }()

	<-sctx.Done()
	s.lg.Info("kitsune gateway stopping")
	if keeperDone != nil {
		s.deregister(keeperDone) // first, so that no new client is sent here
	}
	s.drain()
	listeners.Wait()
	mcancel() // closes every session
	bgwg.Wait()
	s.pool.Close()
	s.closeZK()
	s.meta.Close()
	s.lg.Info("kitsune gateway stopped")
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// serveTransports serves the binary and HTTP listeners until ctx ends; a
// transport that fails stops the gateway (cancel) with its error on the
// channel.
func (s *Server) serveTransports(ctx context.Context, cancel context.CancelFunc) (*sync.WaitGroup, <-chan error) {
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	bg := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	if s.binLn != nil {
		bg(func() error { return s.thrift.ServeBinary(ctx, s.binLn) })
	}
	for _, t := range []struct {
		name string
		srv  *http.Server
		ln   net.Listener
	}{{"http transport", s.httpSrv, s.httpLn}, {"rest api", s.restSrv, s.restLn}, {"metrics", s.metricsSrv, s.metricsLn}} {
		if t.srv == nil {
			continue
		}
		bg(func() error {
			if err := t.srv.Serve(t.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			return nil
		})
	}
	return &wg, errc
}

// keepRegistration registers the gateway in ZooKeeper and keeps the
// registration until the returned cancel; a deleted registration or a
// ZooKeeper lost past the grace stops the gateway (stop).
func (s *Server) keepRegistration(stop context.CancelFunc) (chan string, context.CancelFunc) {
	done := make(chan string, 1)
	ready := make(chan string, 1)
	k := &discovery.Keeper{Conn: s.zkConn, Register: s.register, Log: s.lg, LostGrace: s.cfg.HA.LostGrace,
		Removed: func() {
			s.lg.Warn("this gateway's registration was deleted: draining and stopping")
			stop()
		},
		Lost: stop, Expired: s.obs.m.ZooKeeperExpired}
	kctx, kcancel := context.WithCancel(context.Background())
	go func() { done <- k.Run(kctx, ready) }()
	<-ready
	s.keeperStop = kcancel
	return done, kcancel
}

// deregister ends the registration; ZooKeeper may be the reason the
// gateway stops, so it is not waited on for long (closing the connection
// later ends the call).
func (s *Server) deregister(keeperDone <-chan string) {
	s.keeperStop()
	node := <-keeperDone
	if node == "" {
		return
	}
	done := make(chan error, 1)
	go func() { done <- s.registry.Deregister(context.Background(), node) }()
	select {
	case err := <-done:
		if err != nil {
			s.lg.Warn("could not deregister from ZooKeeper", zap.String("node", node), zap.Error(err))
		}
	case <-time.After(5 * time.Second):
		s.lg.Warn("ZooKeeper did not answer the deregistration; the node goes with the session", zap.String("node", node))
	}
}

// drain refuses new sessions and lets open ones finish, up to the graceful
// stop timeout, then closes the transports.
func (s *Server) drain() {
	s.handler.draining.Store(true)
	grace := s.cfg.Frontend.GracefulStop
	if grace > 0 && s.mgr.Count() > 0 {
		s.lg.Info("draining open sessions", zap.Int("sessions", s.mgr.Count()), zap.Duration("timeout", grace))
		deadline := time.Now().Add(grace)
		for s.mgr.Count() > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	s.thrift.ForceClose()
	for _, srv := range []*http.Server{s.httpSrv, s.restSrv, s.metricsSrv} {
		if srv != nil {
			shctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(shctx)
			c()
		}
	}
}

func (s *Server) closeZK() {
	if s.zkConn != nil {
		_ = s.zkConn.Close()
	}
}

// register publishes the binary front end in ZooKeeper (the keeper calls
// it once serving, and again after a session expiry).
func (s *Server) register(ctx context.Context) (string, error) {
	host := s.cfg.BindHost
	if host == "" || host == "0.0.0.0" || host == "::" {
		host, _ = os.Hostname()
	}
	port := s.binLn.Addr().(*net.TCPAddr).Port
	data := net.JoinHostPort(host, strconv.Itoa(port))
	if s.cfg.HA.PublishConfigs {
		data = fmt.Sprintf("hive.server2.thrift.bind.host=%s;hive.server2.transport.mode=binary;hive.server2.thrift.port=%d;hive.server2.authentication=%s",
			host, port, strings.Join(s.cfg.Authentication, ","))
		if s.krbPrincipal != "" {
			// Hive JDBC takes the principal from here when the URL has none.
			data += ";hive.server2.authentication.kerberos.principal=" + s.krbPrincipal
		}
	}
	return s.registry.RegisterServer(ctx, host, port, Version, data)
}

// Version is the version the gateway registers with.
const Version = "0.1.0"
