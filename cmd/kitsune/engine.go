package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
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
	"github.com/kitsune-sql/kitsune/engine/duckdb"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

func runEngine(args []string) error {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	id := fs.String("id", "", "engine id")
	user := fs.String("user", "", "tenant the engine serves")
	database := fs.String("database", "", "DuckDB database file (empty: in memory)")
	_ = fs.String("home", "", "the tenant's directory (informational: the launcher starts the engine there)")
	bind := fs.String("bind", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 0, "port to listen on (0: a free port)")
	readyFD := fs.Int("ready-fd", 0, "file descriptor to write host:port to once ready")
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
	cfg := duckdb.Config{ID: *id, Owner: *user, Database: *database, Secret: os.Getenv("KITSUNE_ENGINE_SECRET"), Confs: kv, IdleTimeout: *idle}
	if cfg.ID == "" {
		cfg.ID = "local"
	}
	if v := kv["kitsune.engine.memory"]; v != "" {
		n, err := conf.ParseBytes(v)
		if err != nil {
			return fmt.Errorf("kitsune.engine.memory: %w", err)
		}
		cfg.Memory = strconv.FormatInt(n/(1<<20), 10) + "MiB"
	}
	if v := kv["kitsune.engine.cores"]; v != "" {
		if cfg.Threads, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("kitsune.engine.cores: %w", err)
		}
		if err := pinCPUs(cfg.ID, cfg.Threads); err != nil {
			lg.Warn("could not set CPU affinity", zap.Int("cores", cfg.Threads), zap.Error(err))
		}
	}
	if cfg.StatusPollWait, err = conf.ParseDuration(confOrDefault(kv, "kitsune.operation.status.polling.timeout")); err != nil {
		return fmt.Errorf("kitsune.operation.status.polling.timeout: %w", err)
	}
	if cfg.OperationIdleTimeout, err = conf.ParseDuration(confOrDefault(kv, "kitsune.operation.idle.timeout")); err != nil {
		return fmt.Errorf("kitsune.operation.idle.timeout: %w", err)
	}
	if cfg.MaxResultRows, err = strconv.ParseInt(confOrDefault(kv, "kitsune.operation.result.max.rows"), 10, 64); err != nil {
		return fmt.Errorf("kitsune.operation.result.max.rows: %w", err)
	}
	cfg.LogStatements = strings.EqualFold(confOrDefault(kv, "kitsune.operation.statement.logging"), "true")
	if v := kv["kitsune.operation.query.timeout"]; v != "" {
		if cfg.QueryTimeout, err = conf.ParseDuration(v); err != nil {
			return fmt.Errorf("kitsune.operation.query.timeout: %w", err)
		}
	}
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
		zc, err := zk.Dial(zk.Config{Addresses: conf.SplitList(*haAddrs), SessionTimeout: 30 * time.Second, Digest: os.Getenv("KITSUNE_ZK_DIGEST")}, lg)
		if err != nil {
			return err
		}
		defer zc.Close()
		reg := discovery.NewRegistry(zc, "")
		k := &discovery.Keeper{Conn: zc, Log: lg,
			Register: func(ctx context.Context) (string, error) {
				return reg.RegisterEngine(ctx, *haSpace, ln.Addr().String(), version, cfg.ID)
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
func confOrDefault(kv map[string]string, name string) string {
	if v, ok := kv[name]; ok && v != "" {
		return v
	}
	k, _ := conf.Lookup(name)
	return k.Default
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
