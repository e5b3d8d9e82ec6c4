package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

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
	srv, err := server.New(cfg, lg)
	if err != nil {
		return err
	}
	if path := os.Getenv("KITSUNE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("KITSUNE_CPUPROFILE: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("KITSUNE_CPUPROFILE: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Serving():
		// Printed once registered, so that whoever waits for this line
		// finds the gateway through ZooKeeper too.
		fmt.Fprintf(os.Stderr, "kitsune %s serving: binary %s, http %s/%s\n", version, srv.BinaryAddr(), srv.HTTPAddr(), cfg.HTTPPath)
	case err := <-done:
		return err
	}
	return <-done
}

func printConfDocs() error {
	_, err := fmt.Print(conf.Markdown())
	return err
}
