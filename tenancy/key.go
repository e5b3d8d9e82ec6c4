package tenancy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kitsune-sql/kitsune/conf"
)

// Key identifies the engine a session is served by.
type Key struct {
	// Type is the engine type (DUCKDB, SPARK_SQL).
	Type string
	// ShareLevel is USER, GROUP, CONNECTION or SERVER.
	ShareLevel string
	// User is the routing user: the session user for USER, the primary
	// group for GROUP, the server's user for SERVER.
	User string
	// Subdomain splits one share level into named engines ("default"); for
	// CONNECTION it is the session's own reference id.
	Subdomain string
	// Profile is part of the identity unless the admin pinned one engine
	// per key (kitsune.session.conf.profile.pinned).
	Profile conf.Profile
}

// Spec is what one launch asks for: the resources and the session's
// effective confs (the engine-scoped ones reach the engine).
type Spec struct {
	Profile conf.Profile
	Confs   map[string]string
}

// String renders the key as <SHARELEVEL>_<TYPE>/<user>/<subdomain>, with
// the profile in brackets when it has one.
func (k Key) String() string {
	s := strings.ToUpper(k.ShareLevel) + "_" + strings.ToUpper(k.Type) + "/" + k.User + "/" + k.Subdomain
	if p := k.Profile.String(); p != "" {
		s += "[" + p + "]"
	}
	return s
}

// shareLevels are the levels a key can have; the engine type is what
// follows the level (it may hold an underscore: SPARK_SQL).
var shareLevels = []string{"CONNECTION", "USER", "GROUP", "SERVER"}

// ParseKey reads a key rendered by String, profile included.
func ParseKey(s string) (Key, error) {
	var k Key
	body := s
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return Key{}, fmt.Errorf("engine key %q: unclosed profile", s)
		}
		p, err := ParseProfile(s[i+1 : len(s)-1])
		if err != nil {
			return Key{}, fmt.Errorf("engine key %q: %w", s, err)
		}
		k.Profile, body = p, s[:i]
	}
	parts := strings.SplitN(body, "/", 3)
	if len(parts) != 3 {
		return Key{}, fmt.Errorf("engine key %q: want <LEVEL>_<TYPE>/<user>/<subdomain>", s)
	}
	level, typ, ok := splitLevelType(parts[0])
	if !ok {
		return Key{}, fmt.Errorf("engine key %q: %q is not <LEVEL>_<TYPE>", s, parts[0])
	}
	k.ShareLevel, k.Type, k.User, k.Subdomain = level, typ, parts[1], parts[2]
	return k, nil
}

// splitLevelType splits USER_SPARK_SQL into USER and SPARK_SQL.
func splitLevelType(s string) (level, typ string, ok bool) {
	for _, l := range shareLevels {
		if rest, found := strings.CutPrefix(s, l+"_"); found && rest != "" {
			return l, rest, true
		}
	}
	return "", "", false
}

// ParseProfile reads a profile rendered by conf.Profile.String
// (queue=etl,cores=2,memory=1g,executors=3).
func ParseProfile(s string) (conf.Profile, error) {
	var p conf.Profile
	if s == "" {
		return p, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, v, ok := strings.Cut(part, "=")
		if !ok {
			return conf.Profile{}, fmt.Errorf("profile %q: %q is not name=value", s, part)
		}
		var err error
		switch name {
		case "queue":
			p.Queue = v
		case "cores":
			p.Cores, err = strconv.Atoi(v)
		case "memory":
			p.Memory, err = conf.ParseBytes(v)
		case "executors":
			p.Executors, err = strconv.Atoi(v)
		default:
			err = fmt.Errorf("unknown part %q", name)
		}
		if err != nil {
			return conf.Profile{}, fmt.Errorf("profile %q: %w", s, err)
		}
	}
	return p, nil
}
