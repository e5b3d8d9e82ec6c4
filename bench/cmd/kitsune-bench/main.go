// Command kitsune-bench starts a kitsune gateway and measures what it adds
// over talking to its engine directly: every ratio is measured side by side
// in one run, the gateway, a plain TCP relay process (the floor of any
// extra hop) and the engine itself taking turns. It prints one table, each
// figure beside its goal, and the ratios as "<number> gateway/direct".
// Nothing is asserted.
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
)

// options are the bench's flags.
type options struct {
	bin                  string
	cycles, rounds       int
	rows, bigRows, runs  int
	sessions, users      int
	profileDir           string
	relayListen, relayTo string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "kitsune", "bin/kitsune", "kitsune binary")
	flag.IntVar(&o.cycles, "cycles", 100, "SELECT 1 cycles per side and round")
	flag.IntVar(&o.rounds, "rounds", 8, "rounds in which the sides take turns")
	flag.IntVar(&o.rows, "rows", 1_000_000, "rows fetched per throughput run")
	flag.IntVar(&o.bigRows, "big-rows", 10_000_000, "rows fetched while the gateway's memory is watched")
	flag.IntVar(&o.runs, "runs", 4, "throughput runs per side (they take turns; the median is reported)")
	flag.IntVar(&o.sessions, "sessions", 2000, "idle sessions opened, a client connection each, for memory per session")
	flag.IntVar(&o.users, "users", 4, "users the idle sessions are spread over")
	flag.StringVar(&o.profileDir, "profile", "", "write the gateway's CPU, heap and block profiles to this directory")
	flag.StringVar(&o.relayListen, "relay-listen", "", "(internal) run as the relay on this address")
	flag.StringVar(&o.relayTo, "relay-to", "", "(internal) the relay's target")
	flag.Parse()
	if o.relayListen != "" {
		// The relay runs until it is killed or its listener fails.
		fmt.Fprintln(os.Stderr, "kitsune-bench relay:", relay(o.relayListen, o.relayTo))
		os.Exit(1)
	}
	// A client connection each for thousands of sessions.
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "kitsune-bench:", err)
		os.Exit(1)
	}
}

// run measures every figure and prints the table.
func run(o options) error {
	g, err := startGateway(o.bin, o.profileDir)
	if err != nil {
		return err
	}
	defer g.stop()
	var t table
	steps := []func(*gateway, options, *table) error{
		measureIdleRSS, measureStartup, measureLatency, measureDirectResults,
		measureFetch, measureFormats, measureBigFetch, measureSessions,
	}
	for _, step := range steps {
		if err := step(g, o, &t); err != nil {
			return err
		}
	}
	t.print(os.Stdout)
	return nil
}
