package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/server"
)

func runServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	confDir := fs.String("conf-dir", os.Getenv("KITSUNE_CONF_DIR"), "directory holding kitsune-defaults.conf")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	var confs repeated
	fs.Var(&confs, "conf", "key=value overriding kitsune-defaults.conf (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides, err := parseConfs(confs)
	if err != nil {
		return err
	}
	cfg, err := conf.Load(*confDir, overrides)
	if err != nil {
		return err
	}
	lg, err := newLogger(*logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = lg.Sync() }()
	raiseFileLimit(lg)
	srv, err := server.New(cfg, lg)
	if err != nil {
		return err
	}
	stopProfiles, err := startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Serving():
		// Printed once registered, so that whoever waits for this line
		// finds the gateway through ZooKeeper too.
		fmt.Fprintf(os.Stderr, "kitsune %s serving: binary %s, http %s/%s, rest %s, metrics %s\n", server.Version, srv.BinaryAddr(), srv.HTTPAddr(), cfg.HTTPPath, srv.RESTAddr(), srv.MetricsAddr())
	case err := <-done:
		return err
	}
	return <-done
}

func printConfDocs() error {
	_, err := fmt.Print(conf.Markdown())
	return err
}

// wantFiles is what 10 000 sessions need: a client connection each (engine
// connections are shared per engine and user), with room for engines,
// stores and logs.
const wantFiles = 16384

// raiseFileLimit lifts the process's open-file limit to its hard limit, so
// that thousands of sessions fit; when the hard limit is lower than what
// 10 000 sessions need, the log says so and how to raise it.
func raiseFileLimit(lg *zap.Logger) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		lg.Warn("cannot read the open-file limit", zap.Error(err))
		return
	}
	if rl.Cur < rl.Max {
		old := rl.Cur
		rl.Cur = rl.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			lg.Warn("cannot raise the open-file limit", zap.Uint64("soft", old), zap.Uint64("hard", rl.Max), zap.Error(err))
			return
		}
	}
	if rl.Cur < wantFiles {
		lg.Warn("open-file limit is low for many sessions: raise the hard limit (ulimit -Hn, LimitNOFILE=)", zap.Uint64("limit", rl.Cur), zap.Uint64("wanted", wantFiles))
		return
	}
	lg.Debug("open-file limit", zap.Uint64("limit", rl.Cur))
}

// startProfiles starts the profiles the environment asks for, for the
// benchmarks (make bench PROFILE=1): KITSUNE_CPUPROFILE from now on, and
// KITSUNE_HEAPPROFILE and KITSUNE_BLOCKPROFILE written when the gateway
// stops.
func startProfiles() (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if path := os.Getenv("KITSUNE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("KITSUNE_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("KITSUNE_CPUPROFILE: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if path := os.Getenv("KITSUNE_BLOCKPROFILE"); path != "" {
		runtime.SetBlockProfileRate(int(time.Microsecond))
		stops = append(stops, func() { writeProfile("block", path) })
	}
	if path := os.Getenv("KITSUNE_HEAPPROFILE"); path != "" {
		stops = append(stops, func() { writeProfile("heap", path) })
	}
	return stop, nil
}

func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kitsune: %s profile: %v\n", name, err)
		return
	}
	defer f.Close()
	if name == "heap" {
		runtime.GC()
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "kitsune: %s profile: %v\n", name, err)
	}
}
