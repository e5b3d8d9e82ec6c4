package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/engine/spark"
	"github.com/kitsune-sql/kitsune/session/store"
)

// wrapper runs spark-submit and writes its exit status after it, so that
// the status is in the output file even when the gateway that started it
// is gone.
const wrapper = `"$0" "$@"; echo "` + exitMarker + ` $?"`

// start runs the batch's spark-submit in its own process group (it
// outlives a gateway restart) with its output in the batch's log.
func (m *Manager) start(ctx context.Context, b store.Batch, cmdline spark.Command, dir string) (store.Batch, error) {
	out, err := os.OpenFile(b.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return m.fail(ctx, b, err)
	}
	defer out.Close()
	cmd := exec.Command("sh", append([]string{"-c", wrapper, cmdline.Path}, cmdline.Args...)...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = out, out, dir
	cmd.Env = append(os.Environ(), cmdline.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return m.fail(ctx, b, fmt.Errorf("start %s: %w (kitsune.engineEnv.SPARK_HOME)", cmdline.Path, err))
	}
	b.PID, b.State, b.AppStart = cmd.Process.Pid, Running, time.Now()
	b.PIDStart = processStart(b.PID)
	// The process is reaped by pid (reap), as one picked up after a
	// restart is found by pid: one way to learn that it ended.
	_ = cmd.Process.Release()
	if err := m.store.PutBatch(ctx, b); err != nil {
		m.lg.Warn("could not record the running batch", zap.String("batch", b.ID), zap.Error(err))
	}
	return b, nil
}

func (m *Manager) fail(ctx context.Context, b store.Batch, err error) (store.Batch, error) {
	b.State, b.AppDiagnostic, b.Ended = Failed, err.Error(), time.Now()
	_ = m.store.PutBatch(context.WithoutCancel(ctx), b)
	return b, err
}

// check brings the record of each batch this gateway watches up to date
// with its output, and ends the ones whose spark-submit ended.
func (m *Manager) check(ctx context.Context) {
	m.mu.Lock()
	ids := make([]string, 0, len(m.mu.mine))
	for id := range m.mu.mine {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		b, err := m.store.GetBatch(ctx, id)
		if err != nil {
			continue
		}
		m.update(ctx, b)
	}
}

func (m *Manager) update(ctx context.Context, b store.Batch) {
	m.updating.Lock()
	defer m.updating.Unlock()
	if cur, err := m.store.GetBatch(ctx, b.ID); err == nil {
		b = cur // what the watcher or a DELETE settled meanwhile
	}
	if Terminal(b.State) {
		m.forget(b.ID) // settled already: nothing to record again
		return
	}
	r := readReport(b.LogPath)
	was := b
	b.AppID, b.AppURL, b.AppState = first(r.appID, b.AppID), first(r.appURL, b.AppURL), first(r.appState, b.AppState)
	b.AppDiagnostic = first(r.diagnostic, b.AppDiagnostic)
	alive := b.PID > 0 && processAlive(b.PID) && (b.PIDStart == 0 || processStart(b.PID) == b.PIDStart)
	if !alive && !Terminal(b.State) {
		b = m.ended(b, r)
	}
	if b.State != was.State || b.AppID != was.AppID || b.AppState != was.AppState || b.AppURL != was.AppURL || b.AppDiagnostic != was.AppDiagnostic {
		if err := m.store.PutBatch(ctx, b); err != nil {
			m.lg.Warn("could not record a batch's state", zap.String("batch", b.ID), zap.Error(err))
			return
		}
	}
	if Terminal(b.State) {
		m.forget(b.ID)
		m.lg.Info("batch ended", zap.String("batch", b.ID), zap.String("state", b.State), zap.String("app", b.AppID), zap.String("app_state", b.AppState))
	}
}

// ended settles the end state of a batch whose spark-submit is gone: a
// DELETE's CANCELED; YARN's (or the status command's) final status; else
// the exit status.
func (m *Manager) ended(b store.Batch, r report) store.Batch {
	final := r.final
	if final == "" && m.cfg.StatusCommand != "" && b.AppID != "" {
		out, _ := exec.Command("sh", "-c", strings.ReplaceAll(m.cfg.StatusCommand, "{appId}", b.AppID)).CombinedOutput()
		state, f, diag := statusReport(string(out))
		if f == "" && state != "" && state != "FINISHED" && state != "FAILED" && state != "KILLED" {
			b.AppState = state
			return b // still running on the cluster (spark-submit did not wait for it)
		}
		final, b.AppDiagnostic = f, first(diag, b.AppDiagnostic)
	}
	m.mu.Lock()
	canceled := m.mu.canceled[b.ID]
	m.mu.Unlock()
	switch {
	case canceled || final == "KILLED":
		b.State = Canceled
	case final == "FAILED" || !r.exited || r.exitCode != 0:
		b.State = Failed
		if b.AppDiagnostic == "" {
			b.AppDiagnostic = strings.Join(r.tail, "\n")
		}
	default:
		b.State = Finished
	}
	b.Ended, b.PID = time.Now(), 0
	return b
}

func (m *Manager) forget(id string) {
	m.mu.Lock()
	release := m.mu.mine[id]
	delete(m.mu.mine, id)
	delete(m.mu.canceled, id)
	m.mu.Unlock()
	if release != nil {
		release()
	}
}

// Cancel stops a batch this gateway runs: its spark-submit's process
// group, then the application on the cluster (the kill command).
func (m *Manager) Cancel(ctx context.Context, id string) (string, error) {
	b, err := m.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if Terminal(b.State) {
		return fmt.Sprintf("batch %s already ended %s", id, b.State), nil
	}
	if b.Gateway != m.cfg.Instance {
		return "", &RefusedError{Msg: fmt.Sprintf("batch %s runs on gateway %s: send the DELETE there", id, b.Gateway)}
	}
	m.mu.Lock()
	m.mu.canceled[id] = true
	m.mu.Unlock()
	if b.PID > 0 {
		_ = syscall.Kill(-b.PID, syscall.SIGTERM)
		for deadline := time.Now().Add(5 * time.Second); processAlive(b.PID) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		_ = syscall.Kill(-b.PID, syscall.SIGKILL)
	}
	msg := m.killApp(b)
	m.update(ctx, b)
	return strings.TrimSpace("batch " + id + " canceled. " + msg), nil
}

// killApp runs the kill command for the batch's application: the
// configured one, else on YARN yarn application -kill.
func (m *Manager) killApp(b store.Batch) string {
	command := m.cfg.KillCommand
	if command == "" && strings.HasPrefix(b.Conf["spark.master"], "yarn") && b.AppID != "" {
		command = "yarn application -kill {appId}"
	}
	if command == "" {
		return ""
	}
	command = strings.NewReplacer("{refId}", b.ID, "{appId}", b.AppID).Replace(command)
	out, err := exec.Command("sh", "-c", command).CombinedOutput()
	m.lg.Info("ran the application kill command", zap.String("batch", b.ID), zap.ByteString("output", out), zap.Error(err))
	if err != nil {
		return "The kill command failed: " + err.Error()
	}
	return "The application was killed."
}

// processAlive reports whether pid runs; a child of this gateway that
// ended is reaped here (its exit status is in the output file).
func processAlive(pid int) bool {
	var ws syscall.WaitStatus
	if got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); err == nil && got == pid {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// processStart is when pid started, from /proc (0 where there is none).
func processStart(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after it
	// start past its closing parenthesis. starttime is field 22.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return 0
	}
	n, _ := strconv.ParseUint(fields[19], 10, 64)
	return n
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
