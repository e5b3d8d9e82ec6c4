package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ZooKeeper is a running ZooKeeper server.
type ZooKeeper struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// FreePort returns a free loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartZooKeeper starts Debian's ZooKeeper 3.8 (package zookeeper) on a free
// port; it is stopped and its files removed at the end of the test. A
// server that dies while starting (its port taken by another test's
// process in the meantime) is started again on another port.
func StartZooKeeper(t testing.TB) *ZooKeeper {
	t.Helper()
	if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
		t.Fatalf("ZooKeeper is not installed: run scripts/install-test-deps.sh (make deps): %v", err)
	}
	var lastLog []byte
	for attempt := 0; attempt < 3; attempt++ {
		if z, log := startZooKeeper(t); z != nil {
			return z
		} else {
			lastLog = log
		}
	}
	t.Fatalf("ZooKeeper did not start:\n%s", lastLog)
	return nil
}

func startZooKeeper(t testing.TB) (*ZooKeeper, []byte) {
	dir := t.TempDir()
	port := FreePort(t)
	cfg := fmt.Sprintf("tickTime=500\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,srvr\n",
		filepath.Join(dir, "data"), port)
	if err := os.WriteFile(filepath.Join(dir, "zoo.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "zk.log")
	logf, _ := os.Create(logPath)
	cmd := exec.Command("java", "-Xmx128m", "-cp", "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", filepath.Join(dir, "zoo.cfg"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		logf.Close()
	}
	z := &ZooKeeper{Addr: "127.0.0.1:" + strconv.Itoa(port), cmd: cmd, dir: dir}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			b, _ := os.ReadFile(logPath)
			logf.Close()
			return nil, b
		default:
		}
		// Only our own, live server counts: check the port is its.
		if ruok(z.Addr) && ownsPort(cmd.Process.Pid, port) {
			t.Cleanup(stop)
			return z, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	b, _ := os.ReadFile(logPath)
	return nil, b
}

// ownsPort reports whether process pid listens on port (from /proc/net/tcp
// and tcp6 — Java listens on IPv6 sockets — and the process's sockets).
func ownsPort(pid, port int) bool {
	suffix := fmt.Sprintf(":%04X", port)
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 9 && strings.HasSuffix(f[1], suffix) && f[3] == "0A" { // 0A: LISTEN
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && inodes[l] {
			return true
		}
	}
	return false
}

func ruok(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("ruok")); err != nil {
		return false
	}
	b := make([]byte, 4)
	n, _ := c.Read(b)
	return string(b[:n]) == "imok"
}
