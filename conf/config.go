package conf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultsFile is the name of the server configuration file in --conf-dir.
const DefaultsFile = "kitsune-defaults.conf"

// Canonical folds the kyuubi.* alias of a key to its kitsune.* name.
func Canonical(name string) string {
	name = strings.TrimSpace(name)
	if strings.HasPrefix(name, "kyuubi.") {
		return "kitsune." + strings.TrimPrefix(name, "kyuubi.")
	}
	return name
}

// Config is the validated server configuration, built once at start and
// passed down. Raw keeps every key given (canonical names), including the
// engine- and session-scoped keys that are forwarded as session defaults.
type Config struct {
	BindHost             string
	BinaryPort           int
	HTTPPort             int
	HTTPPath             string
	Protocols            []string
	MaxMessageSize       int64
	DefaultFetchSize     int
	InfoProvider         string
	Authentication       []string
	EngineType           string
	ShareLevel           string
	EngineSecret         string
	WorkDir              string
	EngineInitTimeout    time.Duration
	EngineIdleTimeout    time.Duration
	CheckInterval        time.Duration
	SessionIdleTimeout   time.Duration
	OperationIdleTimeout time.Duration
	QueryTimeout         time.Duration

	LDAP          LDAP
	Kerberos      Kerberos
	HA            HA
	Cookie        Cookie
	Limits        Limits
	Engines       Engines
	Frontend      Frontend
	REST          REST
	Batch         Batch
	Authorization Authorization
	// Observability is metrics, events and the audit log.
	Observability Observability
	// ProxyUsers are the impersonation rules by real user.
	ProxyUsers map[string]ProxyUser

	Raw map[string]string

	// source is where Load read the configuration, for Reload.
	source *source
}

type source struct {
	dir       string
	overrides map[string]string
}

// Load reads dir/kitsune-defaults.conf (when dir is not empty and the file
// exists), applies overrides on top, validates every kitsune.* key and
// returns the typed Config.
func Load(dir string, overrides map[string]string) (*Config, error) {
	raw := map[string]string{}
	if dir != "" {
		path := filepath.Join(dir, DefaultsFile)
		m, err := ReadPropertiesFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		for k, v := range m {
			raw[Canonical(k)] = v
		}
	}
	for k, v := range overrides {
		raw[Canonical(k)] = v
	}
	c, err := FromMap(raw)
	if err != nil {
		return nil, err
	}
	c.source = &source{dir: dir, overrides: overrides}
	return c, nil
}

// Reload reads the configuration again from where Load read it (the
// defaults file, then the same overrides): an admin's refresh. A
// configuration built by FromMap has no file and reloads as it is.
func (c *Config) Reload() (*Config, error) {
	if c.source == nil {
		return c, nil
	}
	return Load(c.source.dir, c.source.overrides)
}

// FromMap validates raw (already canonical or not) and builds a Config.
func FromMap(in map[string]string) (*Config, error) {
	raw := make(map[string]string, len(in))
	for k, v := range in {
		if group, name, inner, ok := splitScoped(k); ok {
			prefix := "___" + name + "___."
			if group {
				prefix = "___group:" + name + "___."
			}
			raw[prefix+Canonical(inner)] = v
			continue
		}
		raw[Canonical(k)] = v
	}
	var errs []error
	for k, v := range raw {
		if _, _, inner, ok := splitScoped(k); ok {
			k = Canonical(inner) // ___alice___.kitsune.x is checked as kitsune.x
		}
		if !strings.HasPrefix(k, "kitsune.") {
			continue
		}
		key, ok := Lookup(k)
		if !ok {
			errs = append(errs, unknownKeyError(k))
			continue
		}
		if v == "" && key.Default == "" {
			continue
		}
		if err := key.Check(v); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	get := func(name string) string {
		if v, ok := raw[name]; ok {
			return v
		}
		k, _ := Lookup(name)
		return k.Default
	}
	atoi := func(name string) int { n, _ := strconv.Atoi(strings.TrimSpace(get(name))); return n }
	dur := func(name string) time.Duration { d, _ := ParseDuration(get(name)); return d }
	size, _ := ParseBytes(get("kitsune.frontend.thrift.max.message.size"))
	c := &Config{
		BindHost:             get("kitsune.frontend.bind.host"),
		BinaryPort:           atoi("kitsune.frontend.thrift.binary.bind.port"),
		HTTPPort:             atoi("kitsune.frontend.thrift.http.bind.port"),
		HTTPPath:             strings.Trim(get("kitsune.frontend.thrift.http.path"), "/"),
		Protocols:            upper(SplitList(get("kitsune.frontend.protocols"))),
		MaxMessageSize:       size,
		DefaultFetchSize:     atoi("kitsune.frontend.thrift.resultset.default.fetch.size"),
		InfoProvider:         strings.ToUpper(get("kitsune.server.info.provider")),
		Authentication:       upper(SplitList(get("kitsune.authentication"))),
		EngineType:           strings.ToUpper(get("kitsune.engine.type")),
		ShareLevel:           strings.ToUpper(get("kitsune.engine.share.level")),
		EngineSecret:         get("kitsune.engine.security.secret"),
		WorkDir:              get("kitsune.server.work.dir"),
		EngineInitTimeout:    dur("kitsune.session.engine.initialize.timeout"),
		EngineIdleTimeout:    dur("kitsune.session.engine.idle.timeout"),
		CheckInterval:        dur("kitsune.session.check.interval"),
		SessionIdleTimeout:   dur("kitsune.session.idle.timeout"),
		OperationIdleTimeout: dur("kitsune.operation.idle.timeout"),
		QueryTimeout:         dur("kitsune.operation.query.timeout"),
		Raw:                  raw,
	}
	c.sections(get)
	if c.Engines.MaxConcurrentLaunches < 1 {
		return nil, fmt.Errorf("%w: kitsune.engine.max.concurrent.launches=%d: at least 1 engine must be allowed to start", ErrInvalidValue, c.Engines.MaxConcurrentLaunches)
	}
	if c.Frontend.LoginTimeout <= 0 {
		return nil, fmt.Errorf("%w: kitsune.frontend.thrift.login.timeout must be positive: a client that never logs in would hold its connection forever", ErrInvalidValue)
	}
	if c.Frontend.MaxConcurrentLogins < 1 {
		return nil, fmt.Errorf("%w: kitsune.frontend.thrift.login.max.concurrent=%d: at least 1 login must be allowed at a time", ErrInvalidValue, c.Frontend.MaxConcurrentLogins)
	}
	if len(c.Authentication) > 1 && contains(c.Authentication, "NOSASL") {
		return nil, fmt.Errorf("%w: kitsune.authentication=%s: NOSASL must stand alone", ErrInvalidValue, get("kitsune.authentication"))
	}
	if c.MaxMessageSize <= 0 || c.MaxMessageSize > 1<<31-1 {
		return nil, fmt.Errorf("%w: kitsune.frontend.thrift.max.message.size must be between 1 and 2g", ErrInvalidValue)
	}
	if a := c.Authorization; a.Enabled && (a.PolicyFile == "") == (a.RangerURL == "") {
		return nil, fmt.Errorf("%w: kitsune.authorization.enabled=true needs policies from one place: set kitsune.authorization.policy.file or kitsune.authorization.ranger.url, not both", ErrInvalidValue)
	}
	if a := c.Authorization; a.Enabled && a.RangerURL != "" && a.PollInterval <= 0 {
		return nil, fmt.Errorf("%w: kitsune.authorization.ranger.poll.interval must be positive", ErrInvalidValue)
	}
	if len(c.Protocols) == 0 {
		return nil, fmt.Errorf("%w: kitsune.frontend.protocols is empty: name THRIFT_BINARY, THRIFT_HTTP and/or REST", ErrInvalidValue)
	}
	return c, nil
}

// Get is the value of a key: as configured, else its declared default.
func (c *Config) Get(name string) string {
	if v, ok := c.Raw[Canonical(name)]; ok {
		return v
	}
	k, _ := Lookup(name)
	return k.Default
}

// Serves reports whether protocol p (THRIFT_BINARY, THRIFT_HTTP) is enabled.
func (c *Config) Serves(p string) bool { return contains(c.Protocols, p) }

func upper(in []string) []string {
	for i := range in {
		in[i] = strings.ToUpper(in[i])
	}
	return in
}

func unknownKeyError(name string) error {
	best, bestD := "", 1<<30
	for _, k := range Declared() {
		if d := levenshtein(name, k.Name); d < bestD {
			best, bestD = k.Name, d
		}
	}
	if bestD <= len(name)/3 {
		return fmt.Errorf("%w %q: did you mean %q? (see docs/configuration.md)", ErrUnknownKey, name, best)
	}
	return fmt.Errorf("%w %q (see docs/configuration.md)", ErrUnknownKey, name)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ReadPropertiesFile reads a Java-properties style file: "key=value",
// "key: value" or "key value" per line; lines starting with # or ! are
// comments.
func ReadPropertiesFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	return ReadProperties(f, path)
}

// ReadProperties reads properties from r; name labels errors.
func ReadProperties(r io.Reader, name string) (map[string]string, error) {
	path := name
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=: \t")
		if i <= 0 {
			return nil, fmt.Errorf("%s:%d: %w: expected key=value, got %q", path, n, ErrInvalidValue, line)
		}
		out[strings.TrimSpace(line[:i])] = strings.TrimSpace(strings.TrimLeft(line[i:], "=: \t"))
	}
	return out, sc.Err()
}

// Markdown renders the documentation of every key (docs/configuration.md).
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Configuration\n\n")
	b.WriteString("Generated from `conf/keys.go` by `make docs`; a test fails when this file is stale.\n\n")
	b.WriteString("Server keys go in `<conf dir>/kitsune-defaults.conf` (`key=value` or `key value` per line) or on the command line as `--conf key=value`, which wins. ")
	b.WriteString("Every `kyuubi.X` key is accepted as an alias of `kitsune.X`. An unknown `kitsune.*` key stops the server at start with the closest known key suggested.\n\n")
	b.WriteString("Durations take ISO-8601 (`PT30M`), Go (`30m`) or milliseconds (`1800000`); sizes take `512m`, `4g` or bytes.\n\n")
	keys := Declared()
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Scope < keys[j].Scope })
	scope := Scope(-1)
	for _, k := range keys {
		if k.Scope != scope {
			scope = k.Scope
			fmt.Fprintf(&b, "## %s keys\n\n| key | type | default | meaning |\n|---|---|---|---|\n", strings.ToUpper(scope.String()[:1])+scope.String()[1:])
		}
		def := k.Default
		if def == "" {
			def = "(none)"
		}
		doc := k.Doc
		if len(k.Choices) > 0 {
			doc += " One of: " + strings.Join(k.Choices, ", ") + "."
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", k.Name, k.Type, def, doc)
		if next := nextScope(keys, k); next {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func nextScope(keys []Key, k Key) bool {
	for i, x := range keys {
		if x.Name == k.Name {
			return i+1 == len(keys) || keys[i+1].Scope != k.Scope
		}
	}
	return false
}

// Redacted is the configuration as given, with the values of keys that
// name passwords, secrets, digests or tokens hidden: for event logs.
func (c *Config) Redacted() map[string]string {
	out := make(map[string]string, len(c.Raw))
	for k, v := range c.Raw {
		l := strings.ToLower(k)
		if strings.Contains(l, "password") || strings.Contains(l, "secret") || strings.Contains(l, "bindpw") ||
			strings.Contains(l, "digest") || strings.Contains(l, "token") || strings.Contains(l, "store.url") {
			v = "******"
		}
		out[k] = v
	}
	return out
}
