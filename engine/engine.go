package engine

import (
	"context"
	"errors"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// ErrEngineDied means the engine process is gone.
var ErrEngineDied = errors.New("engine stopped")

// Engine is a running engine process the gateway can reach at Addr.
type Engine struct {
	ID   string
	Key  tenancy.Key
	Addr string
	// MetricsAddr is where a local engine serves its own metrics ("" for
	// none).
	MetricsAddr string
	LogPath     string
	Secret      string
	// Profile is what the engine was launched with.
	Profile conf.Profile

	cmd    *exec.Cmd
	exited chan struct{}
	once   sync.Once
	dead   sync.Once
	err    error
}

// Remote is an engine this gateway did not launch (found in the registry,
// or named by the metadata store).
func Remote(id, addr, secret string, key tenancy.Key) *Engine {
	return newRemote(id, addr, secret, key)
}

// newRemote is an engine another gateway launched, found in the registry.
func newRemote(id, addr, secret string, key tenancy.Key) *Engine {
	return &Engine{ID: id, Key: key, Addr: addr, Secret: secret, exited: make(chan struct{})}
}

// markDead records that an engine that is not our process stopped answering.
func (e *Engine) markDead() {
	if e.cmd != nil {
		return // our own process: its exit is watched
	}
	e.dead.Do(func() { close(e.exited) })
}

// Alive reports whether the engine process is still running.
func (e *Engine) Alive() bool {
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// Exited is closed when the engine process ends.
func (e *Engine) Exited() <-chan struct{} { return e.exited }

// DiedWithin reports whether the engine process is found dead within d: a
// call that failed on a reset connection usually means the process just
// died, and its watcher learns that a moment later.
func (e *Engine) DiedWithin(d time.Duration) bool {
	if !e.Alive() {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-e.exited:
		return true
	case <-t.C:
		return false
	}
}

// PID is the engine's process id (0 when not a local process).
func (e *Engine) PID() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

// Stop asks the engine to stop (SIGTERM), and kills it after grace.
func (e *Engine) Stop(ctx context.Context, grace time.Duration) {
	e.once.Do(func() {
		if e.cmd == nil || e.cmd.Process == nil {
			return
		}
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-e.exited:
		case <-t.C:
			_ = e.cmd.Process.Kill()
			<-e.exited
		case <-ctx.Done():
			_ = e.cmd.Process.Kill()
			<-e.exited
		}
	})
}

// Started wraps a running engine process that another launcher started;
// its exit is watched like a local engine's.
func Started(cmd *exec.Cmd, id, addr, logPath, secret string, key tenancy.Key, profile conf.Profile) *Engine {
	e := &Engine{ID: id, Key: key, Addr: addr, LogPath: logPath, Secret: secret, Profile: profile, cmd: cmd, exited: make(chan struct{})}
	go func() {
		e.err = cmd.Wait()
		close(e.exited)
	}()
	return e
}

// ExitErr is how the process ended (nil while it runs).
func (e *Engine) ExitErr() error {
	select {
	case <-e.exited:
		return e.err
	default:
		return nil
	}
}
