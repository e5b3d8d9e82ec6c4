package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/engine/duckdb"
	"github.com/kitsune-sql/kitsune/server"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

func runEngine(args []string) error {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	id := fs.String("id", "", "engine id")
	user := fs.String("user", "", "tenant the engine serves")
	database := fs.String("database", "", "DuckDB database file (empty: in memory)")
	home := fs.String("home", "", "the tenant's directory: the only one SQL may reach (the launcher starts the engine there)")
	bind := fs.String("bind", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 0, "port to listen on (0: a free port)")
	readyFD := fs.Int("ready-fd", 0, "file descriptor to write host:port to once ready")
	confine := fs.Bool("confine", false, "confine the process to --home with the kernel's Landlock before serving (the local launcher sets it)")
	secretsFD := fs.Int("secrets-fd", 0, "file descriptor to read the engine secret and the ZooKeeper digest from, a line each (0: KITSUNE_ENGINE_SECRET and KITSUNE_ZK_DIGEST)")
	idle := fs.Duration("idle-timeout", 0, "stop after this long with no session (0: never)")
	logLevel := fs.String("log-level", "info", "log level")
	haAddrs := fs.String("ha-addresses", "", "ZooKeeper quorum to register in (empty: none)")
	haSpace := fs.String("ha-space", "", "engine space node to register under")
	var confs repeated
	fs.Var(&confs, "conf", "key=value engine setting (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kv, err := parseConfs(confs)
	if err != nil {
		return err
	}
	lg, err := newLogger(*logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = lg.Sync() }()
	if *confine && os.Getenv(confinedMarker) == "" {
		if err := confineEngine(*home, lg); err != nil {
			return err
		}
	}
	secret, digest, err := engineSecrets(*secretsFD)
	if err != nil {
		return err
	}
	cfg := duckdb.Config{ID: *id, Owner: *user, Database: *database, Home: *home, Secret: secret, Confs: kv, IdleTimeout: *idle}
	if cfg.ID == "" {
		cfg.ID = "local"
	}
	es, err := conf.ParseEngineSettings(kv)
	if err != nil {
		return err
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
	svc, err := duckdb.Open(cfg, lg)
	if err != nil {
		return err
	}
	defer svc.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(*bind, strconv.Itoa(*port)))
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
	if *haAddrs != "" {
		zc, err := zk.Dial(zk.Config{Addresses: conf.SplitList(*haAddrs), SessionTimeout: 30 * time.Second, Digest: digest}, lg)
		if err != nil {
			return err
		}
		defer zc.Close()
		reg := discovery.NewRegistry(zc, "")
		k := &discovery.Keeper{Conn: zc, Log: lg,
			Register: func(ctx context.Context) (string, error) {
				return reg.RegisterEngine(ctx, *haSpace, ln.Addr().String(), server.Version, cfg.ID)
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
		// Deregister first on the way out, before sessions are closed.
		defer func() {
			kcancel()
			if node := <-last; node != "" {
				_ = reg.Deregister(context.Background(), node)
			}
		}()
	}
	lg.Info("engine ready", zap.String("engine", cfg.ID), zap.String("user", *user), zap.String("addr", ln.Addr().String()),
		zap.String("duckdb", svc.DuckDBVersion()))
	if *readyFD > 0 {
		f := os.NewFile(uintptr(*readyFD), "ready")
		fmt.Fprintln(f, ln.Addr().String())
		f.Close()
	} else {
		fmt.Println(ln.Addr().String())
	}
	err = <-done
	lg.Info("engine stopped", zap.String("engine", cfg.ID))
	return err
}

// confOrDefault is kv[name], else the key's declared default.
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
	b, err := io.ReadAll(io.LimitReader(f, 1<<16))
	if err != nil {
		return "", "", fmt.Errorf("read the engine secrets from fd %d: %w", fd, err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	for len(lines) < 2 {
		lines = append(lines, "")
	}
	return lines[0], lines[1], nil
}

// confinedMarker tells the re-executed engine that it runs confined.
const confinedMarker = "KITSUNE_ENGINE_CONFINED"

// confineEngine re-executes this engine confined to home by the kernel
// (engine.ConfineExec); it returns only when that is impossible: without
// Landlock the engine runs with DuckDB's guards only, and says so.
func confineEngine(home string, lg *zap.Logger) error {
	if home == "" {
		return fmt.Errorf("--confine needs --home")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("confine the engine: %w", err)
	}
	err = engine.ConfineExec(engine.Confinement{ReadWrite: []string{home}}, exe, os.Args, append(os.Environ(), confinedMarker+"=1"))
	if errors.Is(err, engine.ErrNoLandlock) {
		lg.Warn("engine not confined by the kernel", zap.Error(err))
		return nil
	}
	return fmt.Errorf("confine the engine to %s: %w", home, err)
}
