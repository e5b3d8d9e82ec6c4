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
type RefusedError struct{ Msg string }

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

// ResolveSession layers server defaults < per-group defaults < per-user
// defaults < client confs, applies the admin's restrict and ignore lists
// and maxima, and derives the share level, subdomain and profile.
func (c *Config) ResolveSession(req SessionRequest) (*Resolved, error) {
	layer := map[string]string{}
	source := map[string]string{}
	for k, v := range c.Raw {
		if _, _, _, scoped := splitScoped(k); scoped {
			continue
		}
		if key, ok := Lookup(k); ok && key.Scope == ScopeServer {
			continue
		}
		layer[k], source[k] = v, "server default"
	}
	groupVals, userVals := map[string]string{}, map[string]string{}
	for k, v := range c.Raw {
		isGroup, name, key, ok := splitScoped(k)
		if !ok {
			continue
		}
		key = Canonical(key)
		switch {
		case isGroup && len(req.Groups) > 0 && contains(req.Groups, name):
			groupVals[key] = v
		case !isGroup && name == req.User:
			userVals[key] = v
		}
	}
	for k, v := range groupVals {
		layer[k], source[k] = v, "group default"
	}
	for k, v := range userVals {
		layer[k], source[k] = v, "user default"
	}
	restrict := SplitList(c.Raw["kitsune.session.conf.restrict.list"])
	ignore := SplitList(c.Raw["kitsune.session.conf.ignore.list"])
	res := &Resolved{Database: "default"}
	keys := make([]string, 0, len(req.Confs))
	for k := range req.Confs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, raw := range keys {
		v := req.Confs[raw]
		switch {
		case raw == "use:database":
			res.Database = v
			continue
		case strings.HasPrefix(raw, "set:hivevar:"):
			layer[raw] = v
			continue
		}
		name := Canonical(strings.TrimPrefix(raw, "set:hiveconf:"))
		if name == "" {
			continue
		}
		if contains(restrict, name) || contains(restrict, strings.Replace(name, "kitsune.", "kyuubi.", 1)) {
			return nil, &RefusedError{Msg: fmt.Sprintf("session configuration %s is restricted by the administrator (kitsune.session.conf.restrict.list): remove it from the connection", name)}
		}
		if contains(ignore, name) || contains(ignore, strings.Replace(name, "kitsune.", "kyuubi.", 1)) {
			continue
		}
		if strings.HasPrefix(name, "kitsune.") {
			key, ok := Lookup(name)
			if !ok {
				return nil, &RefusedError{Msg: "session configuration: " + unknownKeyError(name).Error()}
			}
			if key.Scope == ScopeServer {
				return nil, &RefusedError{Msg: fmt.Sprintf("session configuration %s is a server setting: set it in kitsune-defaults.conf, not per session", name)}
			}
			if err := key.Check(v); err != nil {
				return nil, &RefusedError{Msg: "session configuration: " + err.Error()}
			}
		}
		layer[name], source[name] = v, "session"
	}
	get := func(name string) string {
		if v, ok := layer[name]; ok {
			return v
		}
		k, _ := Lookup(name)
		return k.Default
	}
	res.ShareLevel = strings.ToUpper(get("kitsune.engine.share.level"))
	if k, _ := Lookup("kitsune.engine.share.level"); k.Check(res.ShareLevel) != nil {
		return nil, &RefusedError{Msg: fmt.Sprintf("kitsune.engine.share.level=%s: use CONNECTION, USER, GROUP or SERVER", res.ShareLevel)}
	}
	res.Subdomain = strings.ToLower(strings.TrimSpace(get("kitsune.engine.share.level.subdomain")))
	if res.Subdomain == "" {
		size, err := strconv.Atoi(strings.TrimSpace(get("kitsune.engine.pool.size")))
		if err != nil {
			return nil, &RefusedError{Msg: fmt.Sprintf("kitsune.engine.pool.size=%q is not a number", get("kitsune.engine.pool.size"))}
		}
		if size > 0 {
			threshold, _ := strconv.Atoi(c.Get("kitsune.engine.pool.size.threshold"))
			if size > threshold {
				return nil, &RefusedError{Msg: fmt.Sprintf("kitsune.engine.pool.size=%d is above the maximum %d (kitsune.engine.pool.size.threshold)", size, threshold)}
			}
			res.PoolName = strings.ToLower(strings.TrimSpace(get("kitsune.engine.pool.name")))
			res.PoolSize = size
			res.PoolPolicy = strings.ToUpper(get("kitsune.engine.pool.selectPolicy"))
			if res.PoolPolicy != "RANDOM" && res.PoolPolicy != "POLLING" {
				return nil, &RefusedError{Msg: fmt.Sprintf("kitsune.engine.pool.selectPolicy=%s: use RANDOM or POLLING", res.PoolPolicy)}
			}
			res.Subdomain = res.PoolName + "-0" // the caller picks the member
		}
	}
	if res.Subdomain == "" {
		res.Subdomain = "default"
	} else if !subdomainRE.MatchString(res.Subdomain) {
		return nil, &RefusedError{Msg: fmt.Sprintf("kitsune.engine.share.level.subdomain=%q: use letters, digits, '-' and '_' (at most 64)", res.Subdomain)}
	}
	// The profile: kitsune keys win over the Spark keys that mean the same.
	// The most specific layer wins; within a layer, the first name.
	rank := map[string]int{"server default": 1, "group default": 2, "user default": 3, "session": 4}
	pick := func(names ...string) (string, string) {
		best, from, bestRank := "", "", 0
		for _, n := range names {
			if v, ok := layer[n]; ok && strings.TrimSpace(v) != "" && rank[source[n]] > bestRank {
				best, from, bestRank = strings.TrimSpace(v), n, rank[source[n]]
			}
		}
		return best, from
	}
	var err error
	res.Profile.Queue, _ = pick("kitsune.engine.queue", "spark.yarn.queue")
	if v, from := pick("kitsune.engine.cores", "spark.executor.cores"); v != "" {
		if res.Profile.Cores, err = strconv.Atoi(v); err != nil || res.Profile.Cores <= 0 {
			return nil, &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a positive whole number of cores", from, v)}
		}
	}
	if v, from := pick("kitsune.engine.memory", "spark.executor.memory", "spark.driver.memory"); v != "" {
		if res.Profile.Memory, err = ParseBytes(v); err != nil || res.Profile.Memory <= 0 {
			return nil, &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a size such as 512m or 4g", from, v)}
		}
	}
	if v, from := pick("spark.executor.instances", "spark.dynamicAllocation.maxExecutors"); v != "" {
		if res.Profile.Executors, err = strconv.Atoi(v); err != nil || res.Profile.Executors <= 0 {
			return nil, &RefusedError{Msg: fmt.Sprintf("%s=%q: expected a positive whole number", from, v)}
		}
	}
	// Maxima: per user, else per group, else server-wide.
	limit := func(name string) (string, string) {
		if v, ok := userVals[name]; ok && v != "" {
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
			return nil, &RefusedError{Msg: fmt.Sprintf("%d cores asked for, but the maximum for %s is %d, set by %s", res.Profile.Cores, req.User, maxCores, who)}
		}
	}
	if v, who := limit("kitsune.engine.max.memory"); v != "" && res.Profile.Memory > 0 {
		if maxMem, _ := ParseBytes(v); res.Profile.Memory > maxMem {
			return nil, &RefusedError{Msg: fmt.Sprintf("memory %s asked for, but the maximum for %s is %s, set by %s", FormatBytes(res.Profile.Memory), req.User, FormatBytes(maxMem), who)}
		}
	}
	res.Confs = layer
	return res, nil
}
