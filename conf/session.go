package conf

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SessionRequest is what a session asks for.
type SessionRequest struct {
	User   string
	Groups []string // primary group first
	// Confs are the client's OpenSession configuration, as sent
	// (set:hiveconf:, set:hivevar:, use:database, plain keys).
	Confs map[string]string
}

// Profile is the engine resources a session asked for; it is part of the
// engine's identity.
type Profile struct {
	Queue     string
	Cores     int
	Memory    int64 // bytes; 0 = engine default
	Executors int
}

// String renders the profile compactly, e.g. "queue=etl,cores=2,memory=1g".
func (p Profile) String() string {
	var parts []string
	if p.Queue != "" {
		parts = append(parts, "queue="+p.Queue)
	}
	if p.Cores > 0 {
		parts = append(parts, "cores="+strconv.Itoa(p.Cores))
	}
	if p.Memory > 0 {
		parts = append(parts, "memory="+FormatBytes(p.Memory))
	}
	if p.Executors > 0 {
		parts = append(parts, "executors="+strconv.Itoa(p.Executors))
	}
	return strings.Join(parts, ",")
}

// FormatBytes renders n as the largest exact unit (4g, 512m, 1000).
func FormatBytes(n int64) string {
	for _, u := range []struct {
		s string
		v int64
	}{{"t", 1 << 40}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n >= u.v && n%u.v == 0 {
			return strconv.FormatInt(n/u.v, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10)
}

// Resolved is a session's effective configuration.
type Resolved struct {
	// Confs are the effective session confs (canonical names) to hand to
	// the engine session, hive variables under set:hivevar:.
	Confs      map[string]string
	ShareLevel string
	Subdomain  string
	Profile    Profile
	// Database is the use:database the client asked for.
	Database string
	// PoolName, PoolSize and PoolPolicy describe an engine pool (size 0:
	// none); the gateway picks the member subdomain <name>-<i>.
	PoolName   string
	PoolSize   int
	PoolPolicy string
}

// RefusedError is a session conf the admin does not allow.
type RefusedError struct {
	Kind RefusalKind
	Msg  string
}

// RefusalKind says why a session conf was refused.
type RefusalKind int

// The kinds of refusal.
const (
	// RefusedInvalid is a value of the wrong form.
	RefusedInvalid RefusalKind = iota
	// RefusedRestricted is a key on the restrict list.
	RefusedRestricted
	// RefusedUnknown is an unknown kitsune.* key.
	RefusedUnknown
	// RefusedServerScope is a server setting sent per session.
	RefusedServerScope
	// RefusedMaximum is a request above the admin's maximum.
	RefusedMaximum
)

func (e *RefusedError) Error() string { return e.Msg }

var subdomainRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// userPrefix matches Kyuubi's per-user (___alice___.k) and kitsune's
// per-group (___group:etl___.k) key forms.
var userPrefix = regexp.MustCompile(`^___(group:)?([^_].*?)___\.(.+)$`)

// splitScoped reports the user or group a ___NAME___.key applies to.
func splitScoped(k string) (group bool, name, key string, ok bool) {
	m := userPrefix.FindStringSubmatch(k)
	if m == nil {
		return false, "", "", false
	}
	return m[1] != "", m[2], m[3], true
}

// layers are a session's confs as the layers resolved them: the effective
// values, which layer set each, and the per-user values (for maxima).
type layers struct {
	values, source, user map[string]string
}

// rank orders the layers: the most specific wins.
func rank(source string) int {
	switch source {
	case "server default":
		return 1
	case "group default":
		return 2
	case "user default":
		return 3
	case "session":
		return 4
	}
	return 0
}

// ResolveSession layers server defaults < per-group defaults < per-user
// defaults < client confs, applies the admin's restrict and ignore lists
// and maxima, and derives the share level, subdomain and profile. It does
// no I/O; tenancy turns the result into an engine key.
func (c *Config) ResolveSession(req SessionRequest) (*Resolved, error) {
	l := c.defaultLayers(req)
	res := &Resolved{Database: "default"}
	steps := []func() error{
		func() error { return c.applyClient(l, req.Confs, res) },
		func() error { return c.engineChoice(l, res) },
		func() error { return l.profile(res) },
		func() error { return c.maxima(l, req, res) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	res.Confs = l.values
	return res, nil
}

// defaultLayers collects the server, group and user defaults.
func (c *Config) defaultLayers(req SessionRequest) *layers {
	l := &layers{values: map[string]string{}, source: map[string]string{}, user: map[string]string{}}
	groupVals := map[string]string{}
	for k, v := range c.Raw {
		isGroup, name, key, scoped := splitScoped(k)
		switch {
		case !scoped:
			if decl, ok := Lookup(k); !ok || decl.Scope != ScopeServer {
				l.values[k], l.source[k] = v, "server default"
			}
		case isGroup && contains(req.Groups, name):
			groupVals[Canonical(key)] = v
		case !isGroup && name == req.User:
			l.user[Canonical(key)] = v
		}
	}
	for k, v := range groupVals {
		l.values[k], l.source[k] = v, "group default"
	}
	for k, v := range l.user {
		l.values[k], l.source[k] = v, "user default"
	}
	return l
}

// applyClient layers the client's confs over the defaults, in name order,
// refusing restricted, unknown, server-scoped and malformed kitsune keys.
func (c *Config) applyClient(l *layers, confs map[string]string, res *Resolved) error {
	restrict := SplitList(c.Raw["kitsune.session.conf.restrict.list"])
	ignore := SplitList(c.Raw["kitsune.session.conf.ignore.list"])
	listed := func(list []string, name string) bool {
		return contains(list, name) || contains(list, strings.Replace(name, "kitsune.", "kyuubi.", 1))
	}
	keys := make([]string, 0, len(confs))
	for k := range confs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, raw := range keys {
		v := confs[raw]
		switch {
		case raw == "use:database":
			res.Database = v
			continue
		case strings.HasPrefix(raw, "set:hivevar:"):
			l.values[raw] = v
			continue
		}
		name := Canonical(strings.TrimPrefix(raw, "set:hiveconf:"))
		switch {
		case name == "":
			continue
		case listed(restrict, name):
			return &RefusedError{Kind: RefusedRestricted, Msg: fmt.Sprintf("session configuration %s is restricted by the administrator (kitsune.session.conf.restrict.list): remove it from the connection", name)}
		case listed(ignore, name):
			continue
		}
		if err := checkSessionKey(name, v); err != nil {
			return err
		}
		l.values[name], l.source[name] = v, "session"
	}
	return nil
}

// checkSessionKey refuses a kitsune key a session may not set as sent.
func checkSessionKey(name, v string) error {
	if !strings.HasPrefix(name, "kitsune.") {
		return nil
	}
	key, ok := Lookup(name)
	if !ok {
		return &RefusedError{Kind: RefusedUnknown, Msg: "session configuration: " + unknownKeyError(name).Error()}
	}
	if key.Scope == ScopeServer {
		return &RefusedError{Kind: RefusedServerScope, Msg: fmt.Sprintf("session configuration %s is a server setting: set it in kitsune-defaults.conf, not per session", name)}
	}
	if err := key.Check(v); err != nil {
		return &RefusedError{Kind: RefusedInvalid, Msg: "session configuration: " + err.Error()}
	}
	return nil
}

// get is the effective value of name, or its declared default.
func (l *layers) get(name string) string {
	if v, ok := l.values[name]; ok {
		return v
	}
	k, _ := Lookup(name)
	return k.Default
}

// engineChoice derives the share level, the subdomain and the engine pool.
func (c *Config) engineChoice(l *layers, res *Resolved) error {
	res.ShareLevel = strings.ToUpper(l.get("kitsune.engine.share.level"))
	if k, _ := Lookup("kitsune.engine.share.level"); k.Check(res.ShareLevel) != nil {
		return &RefusedError{Msg: fmt.Sprintf("kitsune.engine.share.level=%s: use CONNECTION, USER, GROUP or SERVER", res.ShareLevel)}
	}
	res.Subdomain = strings.ToLower(strings.TrimSpace(l.get("kitsune.engine.share.level.subdomain")))
	if res.Subdomain == "" {
		if err := c.enginePool(l, res); err != nil {
			return err
		}
	}
	if res.Subdomain == "" {
		res.Subdomain = "default"
	} else if !subdomainRE.MatchString(res.Subdomain) {
		return &RefusedError{Msg: fmt.Sprintf("kitsune.engine.share.level.subdomain=%q: use letters, digits, '-' and '_' (at most 64)", res.Subdomain)}
	}
	return nil
}

// enginePool reads the engine pool a session asked for, if any.
func (c *Config) enginePool(l *layers, res *Resolved) error {
	size, err := strconv.Atoi(strings.TrimSpace(l.get("kitsune.engine.pool.size")))
	if err != nil {
		return &RefusedError{Msg: fmt.Sprintf("kitsune.engine.pool.size=%q is not a number", l.get("kitsune.engine.pool.size"))}
	}
	if size <= 0 {
		return nil
	}
	threshold, _ := strconv.Atoi(c.Get("kitsune.engine.pool.size.threshold"))
	if size > threshold {
		return &RefusedError{Kind: RefusedMaximum, Msg: fmt.Sprintf("kitsune.engine.pool.size=%d is above the maximum %d (kitsune.engine.pool.size.threshold)", size, threshold)}
	}
	res.PoolName = strings.ToLower(strings.TrimSpace(l.get("kitsune.engine.pool.name")))
	res.PoolSize = size
	res.PoolPolicy = strings.ToUpper(l.get("kitsune.engine.pool.selectPolicy"))
	if res.PoolPolicy != "RANDOM" && res.PoolPolicy != "POLLING" {
		return &RefusedError{Msg: fmt.Sprintf("kitsune.engine.pool.selectPolicy=%s: use RANDOM or POLLING", res.PoolPolicy)}
	}
	res.Subdomain = res.PoolName + "-0" // tenancy picks the member
	return nil
}

// pick is the value of the first of names set in the most specific layer.
func (l *layers) pick(names ...string) (string, string) {
	best, from, bestRank := "", "", 0
	for _, n := range names {
		if v, ok := l.values[n]; ok && strings.TrimSpace(v) != "" && rank(l.source[n]) > bestRank {
			best, from, bestRank = strings.TrimSpace(v), n, rank(l.source[n])
		}
	}
	return best, from
}

// profile derives the engine resources: kitsune keys win over the Spark
// keys that mean the same; the most specific layer wins; within a layer,
// the first name.
func (l *layers) profile(res *Resolved) error {
	var err error
	res.Profile.Queue, _ = l.pick("kitsune.engine.queue", "spark.yarn.queue")
	if v, from := l.pick("kitsune.engine.cores", "spark.executor.cores"); v != "" {
		if res.Profile.Cores, err = strconv.Atoi(v); err != nil || res.Profile.Cores <= 0 {
			return &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a positive whole number of cores", from, v)}
		}
	}
	if v, from := l.pick("kitsune.engine.memory", "spark.executor.memory", "spark.driver.memory"); v != "" {
		if res.Profile.Memory, err = ParseBytes(v); err != nil || res.Profile.Memory <= 0 {
			return &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a size such as 512m or 4g", from, v)}
		}
	}
	if v, from := l.pick("spark.executor.instances", "spark.dynamicAllocation.maxExecutors"); v != "" {
		if res.Profile.Executors, err = strconv.Atoi(v); err != nil || res.Profile.Executors <= 0 {
			return &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a positive whole number", from, v)}
		}
	}
	return nil
}

// maxima refuses a profile above the admin's maximum: per user, else per
// group, else server-wide; the refusal names who set it.
func (c *Config) maxima(l *layers, req SessionRequest, res *Resolved) error {
	limit := func(name string) (string, string) {
		if v, ok := l.user[name]; ok && v != "" {
			return v, fmt.Sprintf("___%s___.%s (user %s)", req.User, name, req.User)
		}
		for _, g := range req.Groups {
			if v, ok := c.Raw["___group:"+g+"___."+name]; ok && v != "" {
				return v, fmt.Sprintf("___group:%s___.%s (group %s)", g, name, g)
			}
		}
		if v := c.Raw[name]; v != "" {
			return v, name + " (server)"
		}
		return "", ""
	}
	if v, who := limit("kitsune.engine.max.cores"); v != "" && res.Profile.Cores > 0 {
		if maxCores, _ := strconv.Atoi(v); res.Profile.Cores > maxCores {
			return &RefusedError{Kind: RefusedMaximum, Msg: fmt.Sprintf("%d cores asked for, but the maximum for %s is %d, set by %s", res.Profile.Cores, req.User, maxCores, who)}
		}
	}
	if v, who := limit("kitsune.engine.max.memory"); v != "" && res.Profile.Memory > 0 {
		if maxMem, _ := ParseBytes(v); res.Profile.Memory > maxMem {
			return &RefusedError{Kind: RefusedMaximum, Msg: fmt.Sprintf("memory %s asked for, but the maximum for %s is %s, set by %s", FormatBytes(res.Profile.Memory), req.User, FormatBytes(maxMem), who)}
		}
	}
	return nil
}
