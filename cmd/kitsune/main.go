// Command kitsune is the kitsune gateway, its local engine, a Beeline-style
// client and admin tools in one binary:
//
//	kitsune server [--conf-dir DIR] [--conf key=value]...
//	kitsune engine ...            (launched by the gateway)
//	kitsune beeline -u URL [-n user] [-p password] [-e SQL]... [-f file]
//	kitsune ctl --zk-quorum H:P list server|engine, delete server|engine …
//	kitsune conf docs             (prints docs/configuration.md)
//	kitsune version
package main

import (
	"fmt"
	"os"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kitsune-sql/kitsune/server"
)

// build names the commit the binary was built from; the linker sets it
// (-X main.build=…). The product version is server.Version, the one that
// `kitsune version`, gateway znodes, engine spaces and engine registrations
// all carry.
var build = "dev"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = runServer(os.Args[2:])
	case "engine":
		err = runEngine(os.Args[2:])
	case "beeline":
		os.Exit(runBeeline(os.Args[2:]))
	case "ctl":
		err = runCtl(os.Args[2:], os.Stdout)
	case "conf":
		if len(os.Args) > 2 && os.Args[2] == "docs" {
			err = printConfDocs()
		} else {
			err = fmt.Errorf("usage: kitsune conf docs")
		}
	case "version", "--version", "-v":
		fmt.Printf("kitsune %s (build %s)\n", server.Version, build)
	case "help", "-h", "--help":
		usage()
	default:
		usage()
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kitsune:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: kitsune <command> [flags]

commands:
  server    run the gateway (HiveServer2 protocol on :10009 binary, :10010 HTTP)
  beeline   connect to a gateway and run SQL (Beeline-compatible flags)
  ctl       list and delete gateways and engines registered in ZooKeeper
  engine    run a local DuckDB engine (the gateway launches these)
  conf docs print the configuration reference
  version   print the version
`)
}

// repeated collects a repeatable flag.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Encoding = "console"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.DisableStacktrace = true
	cfg.Sampling = nil
	return cfg.Build()
}

func parseConfs(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--conf %q: expected key=value", kv)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}
