package engine

import "strings"

// Key identifies the engine a session is served by.
type Key struct {
	// Type is the engine type (DUCKDB).
	Type string
	// ShareLevel is USER, GROUP, CONNECTION or SERVER.
	ShareLevel string
	// User is the routing user: the session user for USER share level.
	User string
	// Subdomain splits one share level into named engines ("default").
	Subdomain string
}

// String renders the key as the engine space path
// <SHARELEVEL>_<TYPE>/<user>/<subdomain>.
func (k Key) String() string {
	return strings.ToUpper(k.ShareLevel) + "_" + strings.ToUpper(k.Type) + "/" + k.User + "/" + k.Subdomain
}
