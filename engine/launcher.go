package engine

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// Launcher starts engine processes. Launch returns once the engine is ready
// to accept sessions or has failed; the error names the log file to read.
type Launcher interface {
	Launch(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error)
}

// LocalConfig configures the local (DuckDB) launcher.
type LocalConfig struct {
	// Executable is the kitsune binary to run as "kitsune engine".
	Executable string
	// WorkDir holds <user>/engine-<id>.log and the user's database.
	WorkDir string
	// Secret is handed to engines through their environment.
	Secret string
	// InitTimeout bounds a launch.
	InitTimeout time.Duration
	// IdleTimeout is passed to the engine, which stops itself after it as a
	// safety net when no gateway stops it.
	IdleTimeout time.Duration
	// Confs are engine-scoped settings passed as --conf.
	Confs map[string]string
	// HAAddresses and Space, when set, make engines register themselves in
	// ZooKeeper under Space(key).
	HAAddresses []string
	Space       func(tenancy.Key) string
	// HADigest is handed to engines for ZooKeeper's digest authentication.
	HADigest string
	// Shared lists the shared data locations key's engine may reach.
	Shared func(key tenancy.Key) []Shared
	// HAClass and HATLS: the discovery backend and its TLS files.
	HAClass string
	HATLS   []string
	// RunAsUser runs each engine as the OS user named like its tenant (the
	// gateway must run as root), its directory owned by that user.
	RunAsUser bool
}

type localLauncher struct {
	cfg LocalConfig
	lg  *zap.Logger
}

var _ Launcher = (*localLauncher)(nil)

// NewLocalLauncher returns a Launcher that starts `kitsune engine` processes.
func NewLocalLauncher(cfg LocalConfig, lg *zap.Logger) Launcher {
	return &localLauncher{cfg: cfg, lg: lg}
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9._@-]`)

// UserDir makes and returns <workDir>/<user>/, where a tenant's engine logs
// and data live (the name made safe for a path).
func UserDir(workDir, user string) (string, error) {
	dir := filepath.Join(workDir, safeName.ReplaceAllString(user, "_"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w (kitsune.server.work.dir)", dir, err)
	}
	// Private to the engines' OS user, also when it existed before.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("make %s private: %w", dir, err)
	}
	return dir, nil
}

// NewID returns a random engine id.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ExclusivePerKey: a local engine holds its database file, so two
// engines of one key cannot run at once.
func (l *localLauncher) ExclusivePerKey() bool { return true }

func (l *localLauncher) Launch(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error) {
	id := NewID()
	userDir, err := UserDir(l.cfg.WorkDir, key.User)
	if err != nil {
		return nil, fmt.Errorf("launch engine for %s: %w", key, err)
	}
	logPath := filepath.Join(userDir, "engine-"+id+".log")
	args := LocalArgs{ID: id, User: key.User, Home: userDir, Database: databasePath(userDir, key, spec.Profile), Bind: "127.0.0.1",
		ReadyFD: 3, SecretsFD: 4, Confine: true, IdleTimeout: l.cfg.IdleTimeout, Confs: conf.LaunchPairs(l.cfg.Confs, spec.Profile)}
	if len(l.cfg.HAAddresses) > 0 {
		args.HAAddresses, args.HASpace, args.HAClass, args.HATLS = l.cfg.HAAddresses, l.cfg.Space(key), l.cfg.HAClass, l.cfg.HATLS
	}
	if l.cfg.Shared != nil {
		args.Shared = l.cfg.Shared(key)
	}
	start := time.Now()
	e, ready, err := l.start(key, args, logPath, spec.Profile)
	if err != nil {
		return nil, fmt.Errorf("launch engine for %s: %w", key, err)
	}
	timeout := time.NewTimer(l.cfg.InitTimeout)
	defer timeout.Stop()
	fail := func(why string) (*Engine, error) {
		e.Stop(context.Background(), 2*time.Second)
		return nil, fmt.Errorf("engine for %s %s; last lines of %s:\n%s", key, why, logPath, Tail(logPath, 10))
	}
	select {
	case addr := <-ready:
		if addr == "" {
			<-e.exited
			return fail(fmt.Sprintf("exited before it was ready (%v)", e.err))
		}
		e.Addr, e.MetricsAddr = ParseAnnouncement(addr)
	case <-timeout.C:
		return fail(fmt.Sprintf("did not start within %s (kitsune.session.engine.initialize.timeout)", l.cfg.InitTimeout))
	case <-ctx.Done():
		return fail("launch was abandoned: " + ctx.Err().Error())
	}
	l.lg.Info("engine launched", zap.String("key", key.String()), zap.String("engine", id), zap.String("addr", e.Addr),
		zap.Int("pid", e.cmd.Process.Pid), zap.Duration("took", time.Since(start)), zap.String("log", logPath))
	return e, nil
}

// databasePath is the DuckDB file of key's engine. Each engine owns its
// database: a DuckDB file has one writer. Engines of another profile or
// subdomain get their own; CONNECTION engines live in memory and vanish
// with their session.
func databasePath(userDir string, key tenancy.Key, profile conf.Profile) string {
	if key.ShareLevel == "CONNECTION" {
		return ""
	}
	dir := safeName.ReplaceAllString(key.Subdomain, "_")
	if p := profile.String(); p != "" {
		dir += "-" + safeName.ReplaceAllString(strings.ReplaceAll(p, ",", "-"), "_")
	}
	return filepath.Join(userDir, dir, "spark_catalog.duckdb")
}

// start starts `kitsune engine` with args, its output in logPath, its
// secrets on a pipe; the channel yields the address it announces on its
// ready pipe ("" if it exits first).
func (l *localLauncher) start(key tenancy.Key, args LocalArgs, logPath string, profile conf.Profile) (*Engine, <-chan string, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer logFile.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer pw.Close()
	// The engine secret and the ZooKeeper digest travel in a pipe, not in
	// the environment: a process can always read its own environment
	// (/proc/self/environ), and tenants' SQL runs in this one.
	sr, sw, err := os.Pipe()
	if err != nil {
		pr.Close()
		return nil, nil, err
	}
	defer sr.Close()
	werr := WriteSecrets(sw, l.cfg.Secret, l.cfg.HADigest)
	sw.Close()
	if werr != nil {
		pr.Close()
		return nil, nil, fmt.Errorf("pass its secrets: %w", werr)
	}
	cmd := exec.Command(l.cfg.Executable, args.Args()...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = args.Home // relative paths in SQL resolve in the tenant's directory
	cmd.ExtraFiles = []*os.File{pw, sr}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if l.cfg.RunAsUser {
		if cmd.SysProcAttr.Credential, err = tenantCredential(key.User, args.Home); err != nil {
			pr.Close()
			return nil, nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		pr.Close()
		return nil, nil, fmt.Errorf("start %s: %w", l.cfg.Executable, err)
	}
	e := Started(cmd, args.ID, "", logPath, l.cfg.Secret, key, profile)
	ready := make(chan string, 1)
	go func() {
		defer pr.Close()
		line, _ := bufio.NewReader(pr).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	return e, ready, nil
}

// Tail returns the last n lines of the file at path.
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tenantCredential is the OS identity an engine of user runs as, with the
// tenant's directory made that user's own (kitsune.engine.local.run.as.user).
func tenantCredential(name, dir string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("no OS user %q to run its engine as: create it, or turn kitsune.engine.local.run.as.user off: %w", name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("OS user %q has a non-numeric uid or gid", name)
	}
	if err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(uid), int(gid))
	}); err != nil {
		return nil, fmt.Errorf("give %s to OS user %q: %w", dir, name, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Announcement is the line a local engine writes on its ready pipe: its
// address and, after it, metrics=<address of its metrics endpoint>.
func Announcement(addr, metrics string) string {
	if metrics == "" {
		return addr
	}
	return addr + " metrics=" + metrics
}

// ParseAnnouncement reads Announcement's line.
func ParseAnnouncement(line string) (addr, metrics string) {
	addr, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	metrics, _ = strings.CutPrefix(strings.TrimSpace(rest), "metrics=")
	return addr, metrics
}
