package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Etcd is a real etcd server (Debian's etcd-server) for one test.
type Etcd struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	peer int
	log  *os.File
	done chan struct{}
}

// StartEtcd starts etcd on free ports; it stops with the test.
func StartEtcd(t testing.TB) *Etcd {
	t.Helper()
	if _, err := exec.LookPath("etcd"); err != nil {
		t.Fatalf("etcd is not installed: run scripts/install-test-deps.sh (make deps): %v", err)
	}
	e := &Etcd{dir: t.TempDir(), peer: FreePort(t)}
	e.Addr = "127.0.0.1:" + strconv.Itoa(FreePort(t))
	e.Start(t)
	t.Cleanup(func() { e.Stop(t) })
	return e
}

// Start (re)starts the server on its address, with its data kept.
func (e *Etcd) Start(t testing.TB) {
	t.Helper()
	peer := "http://127.0.0.1:" + strconv.Itoa(e.peer)
	logf, err := os.OpenFile(filepath.Join(e.dir, "etcd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	e.log = logf
	e.cmd = exec.Command("etcd", "--name", "test", "--data-dir", filepath.Join(e.dir, "data"),
		"--listen-client-urls", "http://"+e.Addr, "--advertise-client-urls", "http://"+e.Addr,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "test="+peer)
	e.cmd.Stdout, e.cmd.Stderr = logf, logf
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.done = make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	Eventually(t, 30*time.Second, func() error {
		select {
		case <-e.done:
			b, _ := os.ReadFile(filepath.Join(e.dir, "etcd.log"))
			t.Fatalf("etcd exited:\n%s", b)
		default:
		}
		c, err := net.DialTimeout("tcp", e.Addr, time.Second)
		if err != nil {
			return err
		}
		c.Close()
		return nil
	})
}

// Stop kills the server (as a crash would).
func (e *Etcd) Stop(t testing.TB) {
	if e.cmd == nil {
		return
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	<-e.done
	e.log.Close()
	e.cmd = nil
}
