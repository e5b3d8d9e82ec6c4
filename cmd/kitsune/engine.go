package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/kitsune-sql/kitsune/authz"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/connect"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/engine/duckdb"
	"github.com/kitsune-sql/kitsune/metrics"
	"github.com/kitsune-sql/kitsune/server"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

func runEngine(argv []string) error {
	args, err := engine.ParseLocalArgs(argv, os.Stderr)
	if err != nil {
		return err
	}
	lg, err := newLogger(args.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = lg.Sync() }()
	if args.Confine && os.Getenv(confinedMarker) == "" {
		if err := confineEngine(args, lg); err != nil {
			return err
		}
	}
	secret, digest, err := engineSecrets(args.SecretsFD)
	if err != nil {
		return err
	}
	cfg, err := engineConfig(args, secret, lg)
	if err != nil {
		return err
	}
	svc, err := duckdb.Open(cfg, lg)
	if err != nil {
		return err
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(args.Bind, strconv.Itoa(args.Port)))
	if err != nil {
		return fmt.Errorf("engine listen: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	svc.SetOnIdle(stop)
	reaped := make(chan struct{})
	go func() { defer close(reaped); svc.Run(ctx) }()
	defer func() { stop(); <-reaped }()
	srv := serve.New(serve.Config{MaxMessageSize: 100 << 20}, svc, svc, lg)
	// An engine does not drain: when told to stop, its connections close.
	context.AfterFunc(ctx, srv.ForceClose)
	done := make(chan error, 1)
	go func() { done <- srv.ServeBinary(ctx, ln) }()
	if len(args.HAAddresses) > 0 {
		deregister, err := registerEngine(args, ln.Addr().String(), digest, stop, lg)
		if err != nil {
			return err
		}
		defer deregister() // first on the way out, before sessions are closed
	}
	maddr := serveEngineMetrics(ctx, args.Bind, cfg.ID, svc, lg)
	lg.Info("engine ready", zap.String("engine", cfg.ID), zap.String("user", args.User), zap.String("addr", ln.Addr().String()),
		zap.String("metrics", maddr), zap.String("duckdb", svc.DuckDBVersion()))
	announce(args.ReadyFD, engine.Announcement(ln.Addr().String(), maddr))
	err = <-done
	lg.Info("engine stopped", zap.String("engine", cfg.ID))
	return err
}

// engineConfig is the DuckDB engine's configuration from its launch
// arguments and settings.
func engineConfig(args engine.LocalArgs, secret string, lg *zap.Logger) (duckdb.Config, error) {
	cfg := duckdb.Config{ID: args.ID, Owner: args.User, Database: args.Database, Home: args.Home, Secret: secret, Confs: args.Confs,
		Shared:      sharedOf(args.Shared),
		IdleTimeout: args.IdleTimeout}
	if cfg.ID == "" {
		cfg.ID = "local"
	}
	es, err := conf.ParseEngineSettings(args.Confs)
	if err != nil {
		return duckdb.Config{}, err
	}
	if es.Memory > 0 {
		cfg.Memory = strconv.FormatInt(es.Memory/(1<<20), 10) + "MiB"
	}
	if cfg.Threads = es.Cores; cfg.Threads > 0 {
		if err := pinCPUs(cfg.ID, cfg.Threads); err != nil {
			lg.Warn("could not set CPU affinity", zap.Int("cores", cfg.Threads), zap.Error(err))
		}
	}
	cfg.StatusPollWait, cfg.OperationIdleTimeout, cfg.QueryTimeout = es.StatusPollWait, es.OperationIdle, es.QueryTimeout
	cfg.SessionIdleTimeout = es.SessionIdle
	cfg.MaxResultRows, cfg.MaxResultBytes, cfg.LogStatements, cfg.HiveOutput = es.MaxResultRows, es.MaxResultBytes, es.LogStatements, es.HiveOutput
	if es.AuthorizationPolicy != "" {
		f, err := authz.OpenFile(es.AuthorizationPolicy, lg.Named("authz"))
		if err != nil {
			return duckdb.Config{}, err
		}
		cfg.Policies = f
	}
	return cfg, nil
}

// registerEngine registers the engine in its engine space and keeps the
// registration (stop is called when an operator deletes it); the returned
// function deregisters.
func registerEngine(args engine.LocalArgs, addr, digest string, stop func(), lg *zap.Logger) (func(), error) {
	ccfg := connect.Config{Class: args.HAClass, Addresses: args.HAAddresses, SessionTimeout: 30 * time.Second, LeaseTTL: 10 * time.Second,
		Credentials: digest}
	if len(args.HATLS) == 3 {
		ccfg.CA, ccfg.Cert, ccfg.Key = args.HATLS[0], args.HATLS[1], args.HATLS[2]
	}
	zc, err := connect.Open(ccfg, lg)
	if err != nil {
		return nil, err
	}
	reg := discovery.NewRegistry(zc, "")
	k := &discovery.Keeper{Conn: zc, Log: lg,
		Register: func(ctx context.Context) (string, error) {
			return reg.RegisterEngine(ctx, args.HASpace, addr, server.Version, args.ID)
		},
		Removed: func() {
			lg.Warn("this engine's registration was deleted: stopping")
			stop()
		}}
	kctx, kcancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	last := make(chan string, 1)
	go func() { last <- k.Run(kctx, ready) }()
	<-ready
	return func() {
		kcancel()
		if node := <-last; node != "" {
			_ = reg.Deregister(context.Background(), node)
		}
		zc.Close()
	}, nil
}

// announce tells the launcher the engine's address on the ready pipe (or
// prints it, for engines started by hand or by spark-submit).
func announce(fd int, addr string) {
	if fd > 0 {
		f := os.NewFile(uintptr(fd), "ready")
		fmt.Fprintln(f, addr)
		f.Close()
		return
	}
	fmt.Println(addr)
}

// pinCPUs restricts the engine process to n CPUs, chosen from an offset
// derived from the engine id so that engines spread over the machine.
func pinCPUs(id string, n int) error {
	total := runtime.NumCPU()
	if n <= 0 || n >= total {
		return nil
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	start := int(h.Sum32()) % total
	var set unix.CPUSet
	for i := 0; i < n; i++ {
		set.Set((start + i) % total)
	}
	return unix.SchedSetaffinity(0, &set)
}

// engineSecrets reads the engine secret and the ZooKeeper digest from the
// pipe the launcher passed (fd), or from the environment (engines started
// by spark-submit).
func engineSecrets(fd int) (secret, digest string, err error) {
	if fd == 0 {
		return os.Getenv("KITSUNE_ENGINE_SECRET"), os.Getenv("KITSUNE_ZK_DIGEST"), nil
	}
	f := os.NewFile(uintptr(fd), "secrets")
	defer f.Close()
	if secret, digest, err = engine.ReadSecrets(f); err != nil {
		return "", "", fmt.Errorf("read the engine secrets from fd %d: %w", fd, err)
	}
	return secret, digest, nil
}

// confinedMarker tells the re-executed engine that it runs confined.
const confinedMarker = "KITSUNE_ENGINE_CONFINED"

// confineEngine re-executes this engine confined to home by the kernel
// (engine.ConfineExec); it returns only when that is impossible: without
// Landlock the engine runs with DuckDB's guards only, and says so.
func confineEngine(args engine.LocalArgs, lg *zap.Logger) error {
	home, shared := args.Home, args.Shared
	if home == "" {
		return fmt.Errorf("--confine needs --home")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("confine the engine: %w", err)
	}
	c := engine.Confinement{ReadWrite: []string{home}}
	if es, err := conf.ParseEngineSettings(args.Confs); err == nil && es.AuthorizationPolicy != "" {
		// The policies' directory (the gateway replaces the file by
		// renaming a new one in): read only.
		c.ReadOnly = append(c.ReadOnly, filepath.Dir(es.AuthorizationPolicy))
	}
	for _, sh := range shared {
		p := sh.Path
		if sh.Format == "duckdb" {
			p = filepath.Dir(p) // the kernel's rules are by directory; DuckDB's own allow the file alone
		}
		if _, err := os.Stat(p); err != nil {
			lg.Warn("a shared location is missing", zap.String("shared", sh.Name), zap.Error(err))
			continue
		}
		if sh.Write {
			c.ReadWrite = append(c.ReadWrite, p)
		} else {
			c.ReadOnly = append(c.ReadOnly, p)
		}
	}
	err = engine.ConfineExec(c, exe, os.Args, append(os.Environ(), confinedMarker+"=1"))
	if errors.Is(err, engine.ErrNoLandlock) {
		lg.Warn("engine not confined by the kernel", zap.Error(err))
		return nil
	}
	return fmt.Errorf("confine the engine to %s: %w", home, err)
}

// serveEngineMetrics serves the engine's own metrics on a free port of
// host until ctx ends, and returns its address ("" when it cannot listen:
// the engine serves without).
func serveEngineMetrics(ctx context.Context, host, id string, svc *duckdb.Service, lg *zap.Logger) string {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		lg.Warn("engine metrics not served", zap.Error(err))
		return ""
	}
	h := metrics.EngineHandler(id, func() metrics.EngineStats {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st := svc.Stats(sctx)
		return metrics.EngineStats{Sessions: st.Sessions, Operations: st.Operations, OperationsTotal: st.OperationsTotal, MemoryBytes: st.MemoryBytes}
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = srv.Close() })
	return ln.Addr().String()
}

func sharedOf(in []engine.Shared) []duckdb.Shared {
	out := make([]duckdb.Shared, 0, len(in))
	for _, s := range in {
		out = append(out, duckdb.Shared{Name: s.Name, Format: s.Format, Path: s.Path, Write: s.Write})
	}
	return out
}
