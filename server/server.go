package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/engine/spark"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/session/store"
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

// NewWithExecutable is New with an explicit kitsune binary for engines.
func NewWithExecutable(cfg *conf.Config, exe string, lg *zap.Logger) (_ *Server, err error) {
	ttl, _ := conf.ParseDuration(cfg.Get("kitsune.authentication.ldap.cache.ttl"))
	authn, err := auth.New(cfg.Authentication, auth.LDAPConfig{
		URL:           cfg.Get("kitsune.authentication.ldap.url"),
		BaseDN:        cfg.Get("kitsune.authentication.ldap.baseDN"),
		UserDNPattern: cfg.Get("kitsune.authentication.ldap.userDNPattern"),
		GUIDKey:       cfg.Get("kitsune.authentication.ldap.guidKey"),
		BindDN:        cfg.Get("kitsune.authentication.ldap.binddn"),
		BindPassword:  cfg.Get("kitsune.authentication.ldap.bindpw"),
		GroupFilter:   cfg.Get("kitsune.authentication.ldap.groupFilter"),
		StartTLS:      cfg.Get("kitsune.authentication.ldap.starttls") == "true",
		CacheTTL:      ttl,
	}, lg)
	if err != nil {
		return nil, err
	}
	krb, spnegoKrb, err := kerberosAcceptors(cfg)
	if err != nil {
		return nil, err
	}
	var kinit *auth.Kinit
	if p, kt := cfg.Get("kitsune.kinit.principal"), cfg.Get("kitsune.kinit.keytab"); p != "" || kt != "" {
		if p == "" || kt == "" {
			return nil, fmt.Errorf("kitsune.kinit.principal and kitsune.kinit.keytab go together: set both")
		}
		if p, err = auth.ServicePrincipal(p, cfg.BindHost); err != nil {
			return nil, err
		}
		every, _ := conf.ParseDuration(cfg.Get("kitsune.kinit.interval"))
		attempts, _ := strconv.Atoi(cfg.Get("kitsune.kinit.max.attempts"))
		kinit = auth.NewKinit(auth.KinitConfig{Principal: p, Keytab: kt, Interval: every, MaxAttempts: attempts}, lg)
		if err := kinit.Login(context.Background()); err != nil {
			return nil, err
		}
	}
	workDir, err := filepath.Abs(cfg.WorkDir)
	if err != nil {
		return nil, fmt.Errorf("kitsune.server.work.dir=%s: %w", cfg.WorkDir, err)
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, fmt.Errorf("kitsune.server.work.dir=%s: %w", cfg.WorkDir, err)
	}
	// Engine-wide settings that are not part of a session's profile.
	engineConfs := map[string]string{}
	for _, k := range []string{"kitsune.operation.status.polling.timeout", "kitsune.operation.idle.timeout", "kitsune.operation.result.max.rows",
		"kitsune.operation.statement.logging"} {
		if v := cfg.Raw[k]; v != "" {
			engineConfs[k] = v
		}
	}
	// With ZooKeeper, engines are shared by every gateway of the
	// deployment: the secret comes from ZooKeeper (unless configured) and
	// engines register in their engine space.
	var registry *discovery.Registry
	var zkConn discovery.Conn
	var haAddrs []string
	var zkDigest string
	if haAddrs = conf.SplitList(cfg.Raw["kitsune.ha.addresses"]); len(haAddrs) > 0 {
		st, _ := conf.ParseDuration(cfg.Get("kitsune.ha.zookeeper.session.timeout"))
		ct, _ := conf.ParseDuration(cfg.Get("kitsune.ha.zookeeper.connection.timeout"))
		zcfg := zk.Config{Addresses: haAddrs, SessionTimeout: st, ConnectTimeout: ct}
		switch strings.ToUpper(cfg.Get("kitsune.ha.zookeeper.auth.type")) {
		case "DIGEST":
			if zcfg.Digest = cfg.Get("kitsune.ha.zookeeper.auth.digest"); zcfg.Digest == "" {
				return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=DIGEST needs kitsune.ha.zookeeper.auth.digest=user:password")
			}
		case "KERBEROS":
			return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=KERBEROS is not supported yet: use NONE or DIGEST")
		}
		zkDigest = zcfg.Digest
		if zkConn, err = zk.Dial(zcfg, lg); err != nil {
			return nil, err
		}
		registry = discovery.NewRegistry(zkConn, cfg.Get("kitsune.ha.namespace"))
		defer func() {
			if err != nil {
				zkConn.Close()
			}
		}()
	}
	secret, err := engineSecret(cfg, registry, zkDigest)
	if err != nil {
		return nil, err
	}
	space := func(k engine.Key) string {
		sub := k.Subdomain
		if p := k.Profile.String(); p != "" {
			sub += "[" + p + "]"
		}
		return registry.EngineSpace(Version, k.ShareLevel, k.Type, k.User, sub)
	}
	engineIdle := cfg.EngineIdleTimeout + time.Minute // a safety net behind the pool's own stop
	if registry != nil {
		engineIdle = cfg.EngineIdleTimeout // shared engines stop themselves
	}
	var launcher engine.Launcher
	if cfg.EngineType == "SPARK_SQL" {
		launcher = sparkLauncher(cfg, workDir, secret, haAddrs, registry, space, lg)
	} else {
		launcher = engine.NewLocalLauncher(engine.LocalConfig{
			Executable:  exe,
			WorkDir:     workDir,
			Secret:      secret,
			InitTimeout: cfg.EngineInitTimeout,
			IdleTimeout: engineIdle,
			Confs:       engineConfs,
			HAAddresses: haAddrs,
			Space:       space,
			HADigest:    zkDigest,
		}, lg)
	}
	maxLaunches, _ := strconv.Atoi(cfg.Raw["kitsune.engine.max.concurrent.launches"])
	if maxLaunches == 0 {
		maxLaunches = 8
	}
	queueWait, _ := conf.ParseDuration(cfg.Get("kitsune.engine.queue.wait.timeout"))
	queues, err := engine.ParseQueues(cfg.Raw["kitsune.engine.local.queues"], queueWait)
	if err != nil {
		return nil, err
	}
	pcfg := engine.PoolConfig{IdleTimeout: cfg.EngineIdleTimeout, CheckInterval: cfg.CheckInterval, MaxLaunches: maxLaunches, Queues: queues}
	if registry != nil {
		pcfg.Registry, pcfg.Space, pcfg.Secret = registry, space, secret
	}
	pool := engine.NewPool(pcfg, launcher, lg)
	atoi := func(k string) int { n, _ := strconv.Atoi(cfg.Get(k)); return n }
	limits := session.Limits{
		PerUser:       atoi("kitsune.server.limit.connections.per.user"),
		PerIP:         atoi("kitsune.server.limit.connections.per.ipaddress"),
		PerUserIP:     atoi("kitsune.server.limit.connections.per.user.ipaddress"),
		UnlimitedUser: conf.SplitList(cfg.Raw["kitsune.server.limit.connections.user.unlimited.list"]),
		DenyUsers:     conf.SplitList(cfg.Raw["kitsune.server.limit.connections.user.deny.list"]),
		DenyIPs:       conf.SplitList(cfg.Raw["kitsune.server.limit.connections.ip.deny.list"]),
	}
	var meta store.Store
	shared := false
	if url := cfg.Get("kitsune.metadata.store.url"); url != "" {
		if meta, err = store.OpenPostgres(context.Background(), url); err != nil {
			return nil, err
		}
		shared = true
	} else if meta, err = store.OpenEmbedded(filepath.Join(workDir, "metadata.db")); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			meta.Close()
		}
	}()
	mgr := session.NewManager(session.Config{IdleTimeout: cfg.SessionIdleTimeout, CheckInterval: cfg.CheckInterval, Limits: limits,
		Store: meta, Shared: shared, Secret: secret}, pool, lg)
	groups := auth.OSGroups()
	if path := cfg.Raw["kitsune.session.group.mapping"]; path != "" {
		if groups, err = auth.StaticGroups(path); err != nil {
			return nil, err
		}
	}
	serverUser := "kitsune"
	if u, err := user.Current(); err == nil {
		serverUser = u.Username
	}
	h := &handler{cfg: cfg, mgr: mgr, groups: groups, proxy: auth.NewProxyRules(cfg.Raw), serverUser: serverUser, lg: lg}
	noSASL := len(cfg.Authentication) == 1 && cfg.Authentication[0] == "NOSASL"
	cookieAge, _ := strconv.Atoi(cfg.Get("kitsune.frontend.thrift.http.cookie.max.age"))
	cookieKeys, err := cookieKeyRing(cfg, registry, zkDigest, lg)
	if err != nil {
		return nil, err
	}
	scfg := serve.Config{NoSASL: noSASL, MaxMessageSize: cfg.MaxMessageSize, HTTPPath: cfg.HTTPPath,
		Cookie: serve.CookieConfig{
			Enabled:  cfg.Get("kitsune.frontend.thrift.http.cookie.auth.enabled") == "true",
			Name:     cfg.Get("kitsune.frontend.thrift.http.cookie.name"),
			MaxAge:   time.Duration(cookieAge) * time.Second,
			Domain:   cfg.Get("kitsune.frontend.thrift.http.cookie.domain"),
			Path:     cfg.Get("kitsune.frontend.thrift.http.cookie.path"),
			HTTPOnly: cfg.Get("kitsune.frontend.thrift.http.cookie.is.httponly") == "true",
			Keys:     cookieKeys,
		}}
	var krbPrincipal string
	if krb != nil {
		scfg.Kerberos, scfg.SPNEGO = krb, spnegoKrb
		krbPrincipal = krb.Principals()[0]
	}
	var pwAuth serve.Authenticator
	if authn != nil {
		pwAuth = authn
	}
	s := &Server{serving: make(chan struct{}), meta: meta, handler: h, cfg: cfg, lg: lg, pool: pool, mgr: mgr, kinit: kinit, krbPrincipal: krbPrincipal,
		thrift: serve.New(scfg, h, pwAuth, lg)}
	s.zkConn, s.registry = zkConn, registry
	defer func() {
		if err == nil {
			s.mgr.SetGateway(s.BinaryAddr() + "," + s.HTTPAddr())
		}
	}()
	var tlsCfg *tls.Config
	if ks := cfg.Get("kitsune.frontend.ssl.keystore"); ks != "" {
		cert, err := tls.LoadX509KeyPair(ks, ks)
		if err != nil {
			return nil, fmt.Errorf("kitsune.frontend.ssl.keystore=%s: a PEM file with the certificate and its key: %w", ks, err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.Serves("THRIFT_BINARY") {
		if s.binLn, err = net.Listen("tcp", net.JoinHostPort(cfg.BindHost, strconv.Itoa(cfg.BinaryPort))); err != nil {
			return nil, fmt.Errorf("listen on the binary port (kitsune.frontend.thrift.binary.bind.port): %w", err)
		}
		if tlsCfg != nil {
			s.binLn = tls.NewListener(s.binLn, tlsCfg)
		}
	}
	if cfg.Serves("THRIFT_HTTP") {
		if s.httpLn, err = net.Listen("tcp", net.JoinHostPort(cfg.BindHost, strconv.Itoa(cfg.HTTPPort))); err != nil {
			if s.binLn != nil {
				s.binLn.Close()
			}
			return nil, fmt.Errorf("listen on the HTTP port (kitsune.frontend.thrift.http.bind.port): %w", err)
		}
		if tlsCfg != nil {
			s.httpLn = tls.NewListener(s.httpLn, tlsCfg)
		}
		// A connection with no request in flight — idle keep-alive, or
		// opened and never used (gohive does that) — is closed after this.
		idle, _ := conf.ParseDuration(cfg.Get("kitsune.frontend.thrift.http.max.idle.time"))
		s.httpSrv = &http.Server{Handler: s.thrift, ReadHeaderTimeout: min(30*time.Second, idle), IdleTimeout: idle}
	}
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

// Serving is closed once the gateway serves and is registered.
func (s *Server) Serving() <-chan struct{} { return s.serving }

// Run serves until ctx is done; then it stops accepting, closes every
// session, stops the engines it launched and returns.
func (s *Server) Run(ctx context.Context) error {
	s.lg.Info("kitsune gateway serving", zap.String("binary", s.BinaryAddr()), zap.String("http", s.HTTPAddr()))
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
		bg(func() error { return s.thrift.ServeBinary(sctx, s.binLn) })
	}
	if s.httpSrv != nil {
		bg(func() error {
			if err := s.httpSrv.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http transport: %w", err)
			}
			return nil
		})
	}
	var keeperDone chan string
	if s.registry != nil && s.binLn != nil {
		keeperDone = make(chan string, 1)
		ready := make(chan string, 1)
		grace, _ := conf.ParseDuration(s.cfg.Get("kitsune.ha.zookeeper.lost.grace"))
		k := &discovery.Keeper{Conn: s.zkConn, Register: s.register, Log: s.lg, LostGrace: grace,
			Removed: func() {
				s.lg.Warn("this gateway's registration was deleted: draining and stopping")
				cancel()
			},
			Lost: cancel}
		kctx, kcancel := context.WithCancel(context.Background())
		defer kcancel()
		go func() { keeperDone <- k.Run(kctx, ready) }()
		<-ready
		defer func() { kcancel() }()
		s.keeperStop = kcancel
	}
	close(s.serving)
	mctx, mcancel := context.WithCancel(context.Background())
	var bgwg sync.WaitGroup
	if s.kinit != nil {
		bgwg.Add(1)
		go func() { defer bgwg.Done(); _ = s.kinit.Run(mctx) }()
	}
	bgwg.Add(2)
	go func() { defer bgwg.Done(); _ = s.mgr.Run(mctx) }()
	go func() { defer bgwg.Done(); _ = s.pool.Run(mctx) }()

	<-sctx.Done()
	s.lg.Info("kitsune gateway stopping")
	// Deregister first, so that no new client is sent here.
	if keeperDone != nil {
		s.keeperStop()
		if node := <-keeperDone; node != "" {
			// ZooKeeper may be the reason we stop: do not wait on it for long
			// (closing the connection later ends the call).
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
	}
	// Drain: no new connections; open sessions may finish, up to the
	// graceful stop timeout.
	s.handler.draining.Store(true)
	grace, _ := conf.ParseDuration(s.cfg.Get("kitsune.server.graceful.stop.timeout"))
	if grace > 0 && s.mgr.Count() > 0 {
		s.lg.Info("draining open sessions", zap.Int("sessions", s.mgr.Count()), zap.Duration("timeout", grace))
		deadline := time.Now().Add(grace)
		for s.mgr.Count() > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	s.thrift.ForceClose()
	if s.httpSrv != nil {
		shctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.httpSrv.Shutdown(shctx)
		c()
	}
	wg.Wait()
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
	if s.cfg.Get("kitsune.ha.zookeeper.publish.configs") == "true" {
		data = fmt.Sprintf("hive.server2.thrift.bind.host=%s;hive.server2.transport.mode=binary;hive.server2.thrift.port=%d;hive.server2.authentication=%s",
			host, port, strings.Join(s.cfg.Authentication, ","))
		if s.krbPrincipal != "" {
			// Hive JDBC takes the principal from here when the URL has none.
			data += ";hive.server2.authentication.kerberos.principal=" + s.krbPrincipal
		}
	}
	return s.registry.RegisterServer(ctx, host, port, Version, data)
}

// sparkLauncher builds the spark-submit launcher from the configuration.
func sparkLauncher(cfg *conf.Config, workDir, secret string, haAddrs []string, registry *discovery.Registry,
	space func(engine.Key) string, lg *zap.Logger) engine.Launcher {
	env := map[string]string{}
	for k, v := range cfg.Raw {
		if name, ok := strings.CutPrefix(k, "kitsune.engineEnv."); ok {
			env[name] = v
		}
	}
	home := env["SPARK_HOME"]
	if home == "" {
		home = os.Getenv("SPARK_HOME")
	}
	sc := spark.Config{
		SparkHome:    home,
		Mode:         strings.ToLower(cfg.Get("kitsune.engine.spark.mode")),
		MainResource: cfg.Get("kitsune.engine.spark.main.resource"),
		DoAs:         cfg.Get("kitsune.engine.doAs.enabled") != "false",
		K8sQueueKey:  cfg.Get("kitsune.engine.spark.kubernetes.queue.key"),
		BindHost:     cfg.Get("kitsune.engine.spark.bind.host"),
		HAAddresses:  haAddrs,
		IdleTimeout:  cfg.EngineIdleTimeout,
		Env:          env,
	}
	lc := spark.LauncherConfig{Spark: sc, WorkDir: workDir, InitTimeout: cfg.EngineInitTimeout, Secret: secret,
		KillCommand: cfg.Get("kitsune.engine.spark.kill.command")}
	if registry != nil {
		lc.Space = space
		lc.Registered = func(ctx context.Context, sp, refID string) string {
			es, _ := registry.Engines(ctx, sp)
			for _, e := range es {
				if e.RefID == refID {
					return e.Addr
				}
			}
			return ""
		}
	}
	return spark.NewLauncher(lc, lg)
}

// Version is the version the gateway registers with.
const Version = "0.1.0"

// Engines lists the engines this gateway launched and that are alive.
func (s *Server) Engines() []*engine.Engine { return s.pool.Engines() }

// Sessions is the number of open sessions.
func (s *Server) Sessions() int { return s.mgr.Count() }

// kerberosAcceptors builds the Kerberos acceptors when KERBEROS is among
// the authentication methods: one for SASL GSSAPI (the service principal)
// and one for HTTP (the service principal and the SPNEGO principal).
func kerberosAcceptors(cfg *conf.Config) (*auth.Kerberos, *auth.Kerberos, error) {
	if qop := cfg.Get("kitsune.authentication.sasl.qop"); !strings.EqualFold(qop, "auth") {
		return nil, nil, fmt.Errorf("kitsune.authentication.sasl.qop=%s is not supported: only auth is; protect the traffic with TLS (kitsune.frontend.ssl.keystore) instead", qop)
	}
	if !slices.Contains(cfg.Authentication, "KERBEROS") {
		return nil, nil, nil
	}
	principal, keytab := cfg.Get("kitsune.authentication.kerberos.principal"), cfg.Get("kitsune.authentication.kerberos.keytab")
	if principal == "" {
		principal = cfg.Get("kitsune.kinit.principal")
	}
	if keytab == "" {
		keytab = cfg.Get("kitsune.kinit.keytab")
	}
	if principal == "" || keytab == "" {
		return nil, nil, fmt.Errorf("kitsune.authentication=KERBEROS needs kitsune.authentication.kerberos.principal (e.g. hive/_HOST@EXAMPLE.COM) and kitsune.authentication.kerberos.keytab")
	}
	principal, err := auth.ServicePrincipal(principal, cfg.BindHost)
	if err != nil {
		return nil, nil, err
	}
	_, realm, _ := strings.Cut(principal, "@")
	rules, err := auth.ParsePrincipalRules(cfg.Get("kitsune.authentication.kerberos.principal.rules"), realm)
	if err != nil {
		return nil, nil, err
	}
	skew, _ := conf.ParseDuration(cfg.Get("kitsune.authentication.kerberos.max.clock.skew"))
	services := []auth.KerberosService{{Principal: principal, Keytab: keytab}}
	if p := cfg.Get("kitsune.authentication.spnego.principal"); p != "" {
		kt := cfg.Get("kitsune.authentication.spnego.keytab")
		if kt == "" {
			return nil, nil, fmt.Errorf("kitsune.authentication.spnego.principal needs kitsune.authentication.spnego.keytab")
		}
		if p, err = auth.ServicePrincipal(p, cfg.BindHost); err != nil {
			return nil, nil, err
		}
		services = append(services, auth.KerberosService{Principal: p, Keytab: kt})
	}
	spnego, err := auth.NewKerberos(auth.KerberosConfig{Services: services, MaxClockSkew: skew, Rules: rules})
	if err != nil {
		return nil, nil, err
	}
	return spnego.Primary(), spnego, nil
}
