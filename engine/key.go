package engine

import (
	"strings"

	"github.com/kitsune-sql/kitsune/conf"
)

// Key identifies the engine a session is served by.
type Key struct {
	// Type is the engine type (DUCKDB).
	Type string
	// ShareLevel is USER, GROUP, CONNECTION or SERVER.
	ShareLevel string
	// User is the routing user: the session user for USER share level.
	User string
	// Subdomain splits one share level into named engines ("default"); for
	// CONNECTION it is the session's own reference id.
	Subdomain string
	// Profile is part of the identity unless the admin pinned one engine
	// per key (kitsune.session.conf.profile.pinned).
	Profile conf.Profile
}

// String renders the key as the engine space path
// <SHARELEVEL>_<TYPE>/<user>/<subdomain>.
func (k Key) String() string {
	s := strings.ToUpper(k.ShareLevel) + "_" + strings.ToUpper(k.Type) + "/" + k.User + "/" + k.Subdomain
	if p := k.Profile.String(); p != "" {
		s += "[" + p + "]"
	}
	return s
}

// ParseKey reads a key rendered by String (the profile is not parsed back).
func ParseKey(s string) Key {
	var k Key
	if i := strings.IndexByte(s, '['); i >= 0 {
		s = s[:i]
	}
	parts := strings.SplitN(s, "/", 3)
	if len(parts) == 3 {
		k.User, k.Subdomain = parts[1], parts[2]
		if j := strings.IndexByte(parts[0], '_'); j >= 0 {
			k.ShareLevel, k.Type = parts[0][:j], parts[0][j+1:]
		}
	}
	return k
}
