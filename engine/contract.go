package engine

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
)

// LocalArgs is the launch contract of a local engine: what the launcher
// puts on the command line of `kitsune engine` (Args) and what that
// command reads back (ParseLocalArgs), written once. The engine secret and
// the ZooKeeper digest never travel here: they go through the secrets pipe
// (WriteSecrets, ReadSecrets), and the engine answers with its address on
// the ready pipe, one line.
type LocalArgs struct {
	ID   string
	User string
	// Home is the tenant's directory, the only one the engine's SQL may
	// reach; Database is its DuckDB file (empty: in memory).
	Home, Database string
	Bind           string
	Port           int
	// ReadyFD and SecretsFD are inherited pipe descriptors (0: none; the
	// engine then prints its address and reads its secrets from the
	// environment, as engines started by spark-submit do).
	ReadyFD, SecretsFD int
	// Confine re-executes the engine under the kernel's Landlock.
	Confine     bool
	IdleTimeout time.Duration
	LogLevel    string
	// HAAddresses and HASpace: where the engine registers (none: it does not).
	HAAddresses []string
	HASpace     string
	// HAClass is the discovery backend (ZOOKEEPER, ETCD; empty: ZooKeeper)
	// and HATLS its TLS files, CA,cert,key (etcd).
	HAClass string
	HATLS   []string
	// Shared are the shared data locations the tenant may reach.
	Shared []Shared
	// Confs are the engine's settings (conf.LaunchPairs).
	Confs map[string]string
}

// Shared is a shared data location an engine may reach: its name (the
// catalog it is seen as), format (files, parquet, duckdb), path, and
// whether the tenant may write into it.
type Shared struct {
	Name, Format, Path string
	Write              bool
}

// String is the --shared flag's form: name=format:r|rw:path.
func (s Shared) String() string {
	mode := "r"
	if s.Write {
		mode = "rw"
	}
	return s.Name + "=" + s.Format + ":" + mode + ":" + s.Path
}

func parseShared(v string) (Shared, error) {
	name, rest, ok := strings.Cut(v, "=")
	format, rest2, ok2 := strings.Cut(rest, ":")
	mode, path, ok3 := strings.Cut(rest2, ":")
	if !ok || !ok2 || !ok3 || name == "" || path == "" || (mode != "r" && mode != "rw") {
		return Shared{}, fmt.Errorf("--shared %q: expected name=format:r|rw:path", v)
	}
	return Shared{Name: name, Format: format, Path: path, Write: mode == "rw"}, nil
}

// Args is the command line, subcommand first; --conf pairs in key order.
func (a LocalArgs) Args() []string {
	out := []string{"engine", "--id", a.ID, "--user", a.User, "--home", a.Home, "--database", a.Database,
		"--bind", a.Bind, "--port", strconv.Itoa(a.Port), "--ready-fd", strconv.Itoa(a.ReadyFD),
		"--secrets-fd", strconv.Itoa(a.SecretsFD), "--idle-timeout", a.IdleTimeout.String()}
	if a.Confine {
		out = append(out, "--confine")
	}
	if a.LogLevel != "" {
		out = append(out, "--log-level", a.LogLevel)
	}
	if len(a.HAAddresses) > 0 {
		out = append(out, "--ha-addresses", strings.Join(a.HAAddresses, ","), "--ha-space", a.HASpace)
		if a.HAClass != "" {
			out = append(out, "--ha-class", a.HAClass)
		}
		if len(a.HATLS) == 3 {
			out = append(out, "--ha-tls", strings.Join(a.HATLS, ","))
		}
	}
	for _, sh := range a.Shared {
		out = append(out, "--shared", sh.String())
	}
	for _, k := range slices.Sorted(maps.Keys(a.Confs)) {
		out = append(out, "--conf", k+"="+a.Confs[k])
	}
	return out
}

// ParseLocalArgs reads the command line after the subcommand.
func ParseLocalArgs(args []string, errOut io.Writer) (LocalArgs, error) {
	a := LocalArgs{Confs: map[string]string{}}
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&a.ID, "id", "local", "engine id")
	fs.StringVar(&a.User, "user", "", "tenant the engine serves")
	fs.StringVar(&a.Database, "database", "", "DuckDB database file (empty: in memory)")
	fs.StringVar(&a.Home, "home", "", "the tenant's directory: the only one SQL may reach (the launcher starts the engine there)")
	fs.StringVar(&a.Bind, "bind", "127.0.0.1", "address to listen on")
	fs.IntVar(&a.Port, "port", 0, "port to listen on (0: a free port)")
	fs.IntVar(&a.ReadyFD, "ready-fd", 0, "file descriptor to write host:port to once ready")
	fs.BoolVar(&a.Confine, "confine", false, "confine the process to --home with the kernel's Landlock before serving (the local launcher sets it)")
	fs.IntVar(&a.SecretsFD, "secrets-fd", 0, "file descriptor to read the engine secret and the ZooKeeper digest from, a line each (0: KITSUNE_ENGINE_SECRET and KITSUNE_ZK_DIGEST)")
	fs.DurationVar(&a.IdleTimeout, "idle-timeout", 0, "stop after this long with no session (0: never)")
	fs.StringVar(&a.LogLevel, "log-level", "info", "log level")
	haAddrs := fs.String("ha-addresses", "", "ZooKeeper quorum to register in (empty: none)")
	fs.StringVar(&a.HASpace, "ha-space", "", "engine space node to register under")
	fs.StringVar(&a.HAClass, "ha-class", "", "discovery backend: ZOOKEEPER (default) or ETCD")
	haTLS := fs.String("ha-tls", "", "etcd TLS files: CA,certificate,key")
	fs.Func("shared", "a shared data location, name=format:r|rw:path (repeatable)", func(v string) error {
		sh, err := parseShared(v)
		a.Shared = append(a.Shared, sh)
		return err
	})
	fs.Func("conf", "key=value engine setting (repeatable)", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("%q: expected key=value", kv)
		}
		a.Confs[strings.TrimSpace(k)] = strings.TrimSpace(v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return LocalArgs{}, err
	}
	if *haAddrs != "" {
		a.HAAddresses = conf.SplitList(*haAddrs)
	}
	if *haTLS != "" {
		a.HATLS = strings.Split(*haTLS, ",")
	}
	return a, nil
}

// WriteSecrets writes the engine secret and the ZooKeeper digest to the
// secrets pipe, a line each.
func WriteSecrets(w io.Writer, secret, digest string) error {
	if strings.ContainsAny(secret+digest, "\n") {
		return fmt.Errorf("engine secrets cannot hold a line break")
	}
	_, err := fmt.Fprintf(w, "%s\n%s\n", secret, digest)
	return err
}

// ReadSecrets reads what WriteSecrets wrote (at most 64 KiB).
func ReadSecrets(r io.Reader) (secret, digest string, err error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return "", "", err
	}
	lines := strings.SplitN(string(b), "\n", 3)
	for len(lines) < 2 {
		lines = append(lines, "")
	}
	return lines[0], lines[1], nil
}
