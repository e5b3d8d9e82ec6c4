package session

import (
	"fmt"
	"sync"

	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Limits are the admin's connection limits (0: none).
type Limits struct {
	// Sessions bounds the gateway's open sessions, every user together.
	Sessions int
	// OpsPerSession and OpsPerUser bound open operations.
	OpsPerSession int
	OpsPerUser    int
	PerUser       int
	PerIP         int
	PerUserIP     int
	UnlimitedUser []string
	DenyUsers     []string
	DenyIPs       []string
}

// limiter counts open sessions per user, per address and per both.
type limiter struct {
	cfg Limits
	mu  sync.Mutex
	n   map[string]int
}

func newLimiter(cfg Limits) *limiter { return &limiter{cfg: cfg, n: map[string]int{}} }

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// refused is a limit's refusal: SQLSTATE 08004 (the server rejected the
// connection) with the limit's code.
func refused(code int32, format string, args ...any) error {
	return &status.Error{SQLState: "08004", Code: code, Message: fmt.Sprintf(format, args...)}
}

// acquire counts a new session or refuses it with a message naming the limit.
func (l *limiter) acquire(user, addr string) error {
	ip := serve.HostOf(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if has(l.cfg.DenyUsers, user) {
		return refused(status.CodeDeniedUser, "user %s is denied (kitsune.server.limit.connections.user.deny.list)", user)
	}
	if ip != "" && has(l.cfg.DenyIPs, ip) {
		return refused(status.CodeDeniedAddress, "client address %s is denied (kitsune.server.limit.connections.ip.deny.list)", ip)
	}
	if l.cfg.Sessions > 0 && l.n["all"] >= l.cfg.Sessions {
		return refused(status.CodeLimitSessions, "too many sessions: this gateway has %d open, the limit is %d (kitsune.server.limit.sessions): try another gateway or later", l.n["all"], l.cfg.Sessions)
	}
	if !has(l.cfg.UnlimitedUser, user) {
		for _, c := range []struct {
			key, what, limit string
			max              int
		}{
			{"u:" + user, "user " + user, "per.user", l.cfg.PerUser},
			{"i:" + ip, "client address " + ip, "per.ipaddress", l.cfg.PerIP},
			{"ui:" + user + "@" + ip, "user " + user + " from " + ip, "per.user.ipaddress", l.cfg.PerUserIP},
		} {
			if c.max > 0 && l.n[c.key] >= c.max {
				return refused(status.CodeLimitConnections, "too many sessions: %s has %d open, the limit is %d (kitsune.server.limit.connections.%s)", c.what, l.n[c.key], c.max, c.limit)
			}
		}
	}
	l.n["all"]++
	l.n["u:"+user]++
	l.n["i:"+ip]++
	l.n["ui:"+user+"@"+ip]++
	return nil
}

func (l *limiter) release(user, addr string) {
	ip := serve.HostOf(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"all", "u:" + user, "i:" + ip, "ui:" + user + "@" + ip} {
		if l.n[k]--; l.n[k] <= 0 {
			delete(l.n, k)
		}
	}
}

// setLists replaces the unlimited users and the deny lists.
func (l *limiter) setLists(unlimited, denyUsers, denyIPs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg.UnlimitedUser, l.cfg.DenyUsers, l.cfg.DenyIPs = unlimited, denyUsers, denyIPs
}
