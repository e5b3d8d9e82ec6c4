package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

const secret = "kitsune-bench-secret"

// gateway is the kitsune server under measurement, its warm engine and a
// relay process in front of that engine.
type gateway struct {
	cmd        *exec.Cmd
	work       string
	addr       string // the gateway's binary transport
	engineAddr string // the bench user's engine, reached directly
	relayAddr  string // the relay to the same engine
	relay      *exec.Cmd
}

var servingLine = regexp.MustCompile(`serving: binary (\S+),`)

// startGateway starts the gateway on free ports with a work directory of
// its own, profiling into profileDir when set.
func startGateway(bin, profileDir string) (*gateway, error) {
	work, err := os.MkdirTemp("", "kitsune-bench")
	if err != nil {
		return nil, err
	}
	g := &gateway{work: work}
	g.cmd = exec.Command(bin, "server", "--conf", "kitsune.frontend.thrift.binary.bind.port=0", "--conf", "kitsune.frontend.thrift.http.bind.port=0", "--conf", "kitsune.frontend.rest.bind.port=0", "--conf", "kitsune.metrics.prometheus.port=0",
		"--conf", "kitsune.server.work.dir="+work, "--conf", "kitsune.engine.security.secret="+secret, "--log-level", "warn")
	g.cmd.Env = os.Environ()
	if profileDir != "" {
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return nil, err
		}
		for _, p := range []string{"CPU", "HEAP", "BLOCK"} {
			g.cmd.Env = append(g.cmd.Env, "KITSUNE_"+p+"PROFILE="+filepath.Join(profileDir, "gateway."+strings.ToLower(p)+".pprof"))
		}
	}
	stderr, _ := g.cmd.StderrPipe()
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			g.addr = m[1]
			break
		}
	}
	if g.addr == "" {
		g.stop()
		return nil, fmt.Errorf("gateway did not start")
	}
	go func() { // keep its stderr drained
		for sc.Scan() {
		}
	}()
	return g, nil
}

func (g *gateway) stop() {
	if g.relay != nil {
		_ = g.relay.Process.Kill()
		_ = g.relay.Wait()
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	_ = g.cmd.Wait()
	os.RemoveAll(g.work)
}

// engineAddress finds the address of user's engine in its log.
func (g *gateway) engineAddress(user string) (string, error) {
	logs, _ := filepath.Glob(filepath.Join(g.work, user, "engine-*.log"))
	re := regexp.MustCompile(`engine ready.*"addr": "([^"]+)"`)
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("no engine address in %s/%s/engine-*.log", g.work, user)
}

// startRelay starts this program as a relay process in front of the engine.
func (g *gateway) startRelay() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	g.relay = exec.Command(self, "-relay-listen", "127.0.0.1:0", "-relay-to", g.engineAddr)
	out, _ := g.relay.StdoutPipe()
	if err := g.relay.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("relay did not start: %w", err)
	}
	g.relayAddr = strings.TrimSpace(line)
	return nil
}

// memory is a process's resident memory in bytes: all of it, and its
// anonymous part (heap and stacks: what the binary's file-backed pages,
// shared with the engines that run the same binary, are not).
type memory struct{ rss, anon int64 }

func memoryOf(pid int) memory {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "RssAnon:":
			m.anon = kb << 10
		}
	}
	return m
}

// cpuTicks is a process's user and system time in clock ticks.
func cpuTicks(pid int) (user, sys int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	user, _ = strconv.ParseInt(f[11], 10, 64)
	sys, _ = strconv.ParseInt(f[12], 10, 64)
	return user, sys
}
