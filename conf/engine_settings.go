package conf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Keys that travel between the gateway and its engines by name (in
// OpenSession configurations and SET): exported so that no other package
// spells them.
const (
	KeyEngineID        = "kitsune.engine.id"
	KeySessionDetached = "kitsune.session.detached"
	KeyProxyUser       = "kitsune.session.proxy.user"
	KeyBatchID         = "kitsune.batch.id"
	// KeySessionGroups carries the session user's groups, as the gateway
	// found them, to the engine (which authorizes with them); the
	// gateway always sets it, so a client cannot.
	KeySessionGroups = "kitsune.session.user.groups"
)

// EngineSettings are what a local engine runs with: the launch contract
// between the launcher (LaunchPairs) and `kitsune engine`
// (ParseEngineSettings), written once.
type EngineSettings struct {
	Memory         int64 // bytes; 0: DuckDB's default
	Cores          int   // 0: DuckDB's default
	Queue          string
	StatusPollWait time.Duration
	OperationIdle  time.Duration
	SessionIdle    time.Duration
	QueryTimeout   time.Duration
	MaxResultRows  int64
	MaxResultBytes int64
	LogStatements  bool
	HiveOutput     bool
	// AuthorizationPolicy is the policy file statements are authorized
	// against (empty: no authorization).
	AuthorizationPolicy string
}

// AuthorizationPairs are the --conf pairs that turn authorization on in a
// local engine, reading policies from file.
func AuthorizationPairs(file string) map[string]string {
	return map[string]string{"kitsune.authorization.enabled": "true", "kitsune.authorization.policy.file": file}
}

// LaunchPairs are the --conf pairs a local engine is started with: the
// engine-wide settings forwarded by the gateway and the session's profile.
func LaunchPairs(forwarded map[string]string, p Profile) map[string]string {
	out := make(map[string]string, len(forwarded)+3)
	for k, v := range forwarded {
		out[k] = v
	}
	if p.Memory > 0 {
		out["kitsune.engine.memory"] = FormatBytes(p.Memory)
	}
	if p.Cores > 0 {
		out["kitsune.engine.cores"] = strconv.Itoa(p.Cores)
	}
	if p.Queue != "" {
		out["kitsune.engine.queue"] = p.Queue
	}
	return out
}

// ParseEngineSettings reads an engine's --conf pairs, applying declared
// defaults; every error names its key.
func ParseEngineSettings(kv map[string]string) (EngineSettings, error) {
	get := func(name string) string {
		if v, ok := kv[name]; ok && v != "" {
			return v
		}
		k, _ := Lookup(name)
		return k.Default
	}
	var s EngineSettings
	var errs []error
	wrap := func(name string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	var err error
	if v := get("kitsune.engine.memory"); v != "" {
		s.Memory, err = ParseBytes(v)
		wrap("kitsune.engine.memory", err)
	}
	if v := get("kitsune.engine.cores"); v != "" {
		s.Cores, err = strconv.Atoi(strings.TrimSpace(v))
		wrap("kitsune.engine.cores", err)
	}
	s.Queue = get("kitsune.engine.queue")
	s.StatusPollWait, err = ParseDuration(get("kitsune.operation.status.polling.timeout"))
	wrap("kitsune.operation.status.polling.timeout", err)
	s.OperationIdle, err = ParseDuration(get("kitsune.operation.idle.timeout"))
	wrap("kitsune.operation.idle.timeout", err)
	s.SessionIdle, err = ParseDuration(get("kitsune.session.idle.timeout"))
	wrap("kitsune.session.idle.timeout", err)
	if v := get("kitsune.operation.query.timeout"); v != "" {
		s.QueryTimeout, err = ParseDuration(v)
		wrap("kitsune.operation.query.timeout", err)
	}
	s.MaxResultRows, err = strconv.ParseInt(strings.TrimSpace(get("kitsune.operation.result.max.rows")), 10, 64)
	wrap("kitsune.operation.result.max.rows", err)
	s.MaxResultBytes, err = ParseBytes(get("kitsune.operation.result.max.bytes"))
	wrap("kitsune.operation.result.max.bytes", err)
	s.LogStatements = strings.EqualFold(get("kitsune.operation.statement.logging"), "true")
	s.HiveOutput = strings.EqualFold(get("kitsune.engine.local.command.output"), "HIVE")
	if strings.EqualFold(get("kitsune.authorization.enabled"), "true") {
		if s.AuthorizationPolicy = get("kitsune.authorization.policy.file"); s.AuthorizationPolicy == "" {
			errs = append(errs, errors.New("kitsune.authorization.enabled=true needs kitsune.authorization.policy.file"))
		}
	}
	return s, errors.Join(errs...)
}

// SessionQueryTimeout is a session's own kitsune.operation.query.timeout
// (or its kyuubi alias), when it set one.
func SessionQueryTimeout(confs map[string]string) (time.Duration, bool) {
	for _, k := range []string{"kitsune.operation.query.timeout", "kyuubi.operation.query.timeout"} {
		if v, ok := confs[k]; ok {
			d, err := ParseDuration(v)
			return d, err == nil
		}
	}
	return 0, false
}
