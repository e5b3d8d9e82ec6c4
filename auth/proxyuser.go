package auth

import (
	"fmt"
	"net"
)

// ErrImpersonation is a refused proxy-user request.
var ErrImpersonation = fmt.Errorf("impersonation refused")

// ProxyUser is what one real user may impersonate: Hadoop's proxy-user
// rule (users, groups and hosts, "*" meaning any). Source names where the
// rule is configured, for refusals.
type ProxyUser struct {
	Users, Groups, Hosts []string
	Source               string
}

// ProxyRules are Hadoop's proxy-user rules, by real user.
type ProxyRules struct {
	rules map[string]ProxyUser
}

// NewProxyRules takes the rules by real user.
func NewProxyRules(rules map[string]ProxyUser) *ProxyRules { return &ProxyRules{rules: rules} }

func (r *ProxyRules) list(real, what string) []string {
	u := r.rules[real]
	switch what {
	case "users":
		return u.Users
	case "groups":
		return u.Groups
	}
	return u.Hosts
}

// Check reports whether real may run a session as target (whose groups are
// targetGroups) from client address addr; the error names the key to change.
func (r *ProxyRules) Check(real, target string, targetGroups []string, addr string) error {
	if real == target {
		return nil
	}
	prefix := r.rules[real].Source
	if prefix == "" {
		prefix = "the proxy-user rules of " + real
	}
	allowed := false
	for _, u := range r.list(real, "users") {
		if u == "*" || u == target {
			allowed = true
		}
	}
	for _, g := range r.list(real, "groups") {
		for _, tg := range targetGroups {
			if g == "*" || g == tg {
				allowed = true
			}
		}
	}
	if !allowed {
		return fmt.Errorf("%w: %s may not run sessions as %s (%s.users / %s.groups)", ErrImpersonation, real, target, prefix, prefix)
	}
	ip := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		ip = h
	}
	for _, h := range r.list(real, "hosts") {
		if h == "*" || h == ip {
			return nil
		}
		if _, n, err := net.ParseCIDR(h); err == nil && n.Contains(net.ParseIP(ip)) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s may not impersonate from %s (%s.hosts)", ErrImpersonation, real, ip, prefix)
}
