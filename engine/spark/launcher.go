package spark

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/tenancy"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// LauncherConfig configures the Spark launcher.
type LauncherConfig struct {
	Spark Config
	// WorkDir holds <user>/spark-<refId>.log.
	WorkDir string
	// InitTimeout bounds a launch (kitsune.session.engine.initialize.timeout).
	InitTimeout time.Duration
	// Secret is handed to engines in their environment.
	Secret string
	// KillCommand, when set, is run (by sh -c, with {refId} replaced) to
	// kill an application that did not become ready in time, e.g.
	// "yarn app -kill $(yarn app -list -appTags {refId} | awk '/application_/{print $1}')".
	KillCommand string
	// Space computes a key's engine space (kyuubi-engine mode).
	Space func(tenancy.Key) string
	// Registered, in kyuubi-engine mode, returns the address an engine
	// registered with refID under space, or "" while it has not.
	Registered func(ctx context.Context, space, refID string) string
}

type launcher struct {
	cfg LauncherConfig
	lg  *zap.Logger
}

var _ engine.Launcher = (*launcher)(nil)

// NewLauncher returns the spark-submit launcher.
func NewLauncher(cfg LauncherConfig, lg *zap.Logger) engine.Launcher {
	return &launcher{cfg: cfg, lg: lg}
}

func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (l *launcher) Launch(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*engine.Engine, error) {
	refID := engine.NewID()
	userDir, err := engine.UserDir(l.cfg.WorkDir, key.User)
	if err != nil {
		return nil, fmt.Errorf("launch Spark engine for %s: %w", key, err)
	}
	logPath := filepath.Join(userDir, "spark-"+refID+".log")
	cfg := l.cfg.Spark
	port := 0
	if cfg.Mode == ModeThriftServer {
		if port, err = freePort(cfg.BindHost); err != nil {
			return nil, fmt.Errorf("launch Spark engine for %s: no free port on %s: %w", key, cfg.BindHost, err)
		}
	}
	if cfg.Mode == ModeKyuubiEngine && l.cfg.Space != nil {
		cfg.Space = l.cfg.Space(key)
	}
	cmdline, err := Build(cfg, Request{Key: key, Profile: spec.Profile, RefID: refID, Confs: spec.Confs, Port: port, Now: time.Now()})
	if err != nil {
		return nil, fmt.Errorf("launch Spark engine for %s: %w", key, err)
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("launch Spark engine for %s: %w", key, err)
	}
	defer logFile.Close()
	cmd := exec.Command(cmdline.Path, cmdline.Args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = userDir
	cmd.Env = append(append(os.Environ(), cmdline.Env...), "KITSUNE_ENGINE_SECRET="+l.cfg.Secret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("launch Spark engine for %s: start %s: %w (kitsune.engineEnv.SPARK_HOME)", key, cmdline.Path, err)
	}
	addr := net.JoinHostPort(cfg.BindHost, strconv.Itoa(port))
	e := engine.Started(cmd, refID, addr, logPath, l.cfg.Secret, key, spec.Profile)
	fail := func(why string) (*engine.Engine, error) {
		l.kill(refID, spec.Confs["spark.master"])
		e.Stop(context.Background(), 5*time.Second)
		return nil, fmt.Errorf("the Spark engine for %s %s; last lines of %s:\n%s", key, why, logPath, engine.Tail(logPath, 15))
	}
	deadline := time.Now().Add(l.cfg.InitTimeout)
	exitedOK := false
	for {
		if !exitedOK && !e.Alive() {
			if err := e.ExitErr(); err != nil {
				return fail(fmt.Sprintf("failed: spark-submit %v", err))
			}
			if cfg.Mode == ModeThriftServer {
				return fail("failed: spark-submit exited before the Thrift server answered")
			}
			exitedOK = true // cluster mode: the driver runs elsewhere; wait for it to register
		}
		if cfg.Mode == ModeThriftServer && l.answers(ctx, addr, key.User) {
			break
		}
		if cfg.Mode == ModeKyuubiEngine && l.cfg.Registered != nil {
			if a := l.cfg.Registered(ctx, cfg.Space, refID); a != "" {
				e.Addr = a
				if exitedOK || !e.Alive() {
					// Cluster mode: spark-submit is gone, the driver runs on
					// the cluster; the engine is known by its registration.
					e = engine.Remote(refID, a, l.cfg.Secret, key)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			return fail(fmt.Sprintf("did not start within %s (kitsune.session.engine.initialize.timeout)", l.cfg.InitTimeout))
		}
		select {
		case <-ctx.Done():
			return fail("launch abandoned: " + ctx.Err().Error())
		case <-time.After(200 * time.Millisecond):
		}
	}
	l.lg.Info("Spark engine launched", zap.String("key", key.String()), zap.String("engine", refID), zap.String("addr", e.Addr),
		zap.Duration("took", time.Since(start)), zap.String("log", logPath))
	return e, nil
}

// answers reports whether an HS2 server at addr accepts a session.
func (l *launcher) answers(ctx context.Context, addr, user string) bool {
	c, err := client.Dial(ctx, client.Options{Addr: addr, User: user, Password: l.cfg.Secret, Timeout: time.Second})
	if err != nil {
		return false
	}
	defer c.Close()
	r, err := c.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &user})
	if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		return false
	}
	_, _ = c.CloseSession(ctx, &tcli.TCloseSessionReq{SessionHandle: r.SessionHandle})
	return true
}

// yarnKill finds the application by its tag and kills it.
const yarnKill = `yarn application -kill $(yarn application -list -appTags {refId} 2>/dev/null | awk '/application_/{print $1}')`

// kill runs the kill command for an application that failed to start, so
// that no cluster application is left behind: the configured one, else on
// YARN the application with the launch's tag.
func (l *launcher) kill(refID, master string) {
	command := l.cfg.KillCommand
	if command == "" && strings.HasPrefix(master, "yarn") {
		command = yarnKill
	}
	if command == "" {
		return
	}
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(command, "{refId}", refID))
	out, err := cmd.CombinedOutput()
	l.lg.Info("ran the application kill command", zap.String("engine", refID), zap.ByteString("output", out), zap.Error(err))
}
