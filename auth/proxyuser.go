package auth

import (
	"fmt"
	"net"
	"strings"
)

// ErrImpersonation is a refused proxy-user request.
var ErrImpersonation = fmt.Errorf("impersonation refused")

// ProxyRules are Hadoop's proxy-user rules: kitsune.server.proxyuser.<real
// user>.users / .groups / .hosts.
type ProxyRules struct {
	raw map[string]string
}

// NewProxyRules reads the rules from the server configuration.
func NewProxyRules(raw map[string]string) *ProxyRules { return &ProxyRules{raw: raw} }

func (r *ProxyRules) list(real, what string) []string {
	var out []string
	for _, p := range strings.Split(r.raw["kitsune.server.proxyuser."+real+"."+what], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Check reports whether real may run a session as target (whose groups are
// targetGroups) from client address addr; the error names the key to change.
func (r *ProxyRules) Check(real, target string, targetGroups []string, addr string) error {
	if real == target {
		return nil
	}
	prefix := "kitsune.server.proxyuser." + real
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
