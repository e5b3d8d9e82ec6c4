package auth

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
	"go.uber.org/zap"
)

// ErrDirectory means the directory could not be asked: the client gets a
// different message than for refused credentials, so that an outage is not
// mistaken for a wrong password.
var ErrDirectory error = unavailable("the LDAP directory is unreachable; try again later")

// unavailable is an error that is not a refusal: the transport answers
// "service unavailable" instead of "authentication failed".
type unavailable string

func (u unavailable) Error() string { return string(u) }

// Unavailable marks the error for the transports.
func (unavailable) Unavailable() bool { return true }

// LDAPConfig configures LDAP authentication (kitsune.authentication.ldap.*).
type LDAPConfig struct {
	URL string
	// BaseDN is where users (and groups) are searched.
	BaseDN string
	// UserDNPattern, e.g. uid=%s,ou=people,dc=example,dc=test, binds
	// without a search; else the user is searched by GUIDKey under BaseDN.
	UserDNPattern string
	GUIDKey       string
	// BindDN and BindPassword search for users and groups; empty: anonymous.
	BindDN       string
	BindPassword string
	// GroupFilter, when set, must match at least one entry under BaseDN for
	// the user to get in; {user} and {dn} are replaced.
	GroupFilter string
	StartTLS    bool
	TLS         *tls.Config
	CacheTTL    time.Duration
	Timeout     time.Duration
}

type ldapAuth struct {
	cfg LDAPConfig
	lg  *zap.Logger
	mu  sync.Mutex
	ok  map[string]cached // user → successful bind
}

type cached struct {
	sum     [32]byte
	expires time.Time
}

var _ Authenticator = (*ldapAuth)(nil)

// NewLDAP returns an Authenticator that binds to the directory as the user.
func NewLDAP(cfg LDAPConfig, lg *zap.Logger) Authenticator {
	if cfg.GUIDKey == "" {
		cfg.GUIDKey = "uid"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &ldapAuth{cfg: cfg, lg: lg, ok: map[string]cached{}}
}

func (a *ldapAuth) Authenticate(_ context.Context, user, password, remote string) (string, error) {
	user = strings.TrimSpace(user)
	refuse := func(reason string) (string, error) {
		a.lg.Warn("login refused", zap.String("user", user), zap.String("remote", remote), zap.String("reason", reason))
		return "", ErrAuthFailed
	}
	if user == "" || password == "" {
		return refuse("empty user or password")
	}
	sum := sha256.Sum256([]byte(user + "\x00" + password))
	a.mu.Lock()
	c, hit := a.ok[user]
	a.mu.Unlock()
	if hit && c.sum == sum && time.Now().Before(c.expires) {
		return user, nil
	}
	conn, err := ldap.DialURL(a.cfg.URL, ldap.DialWithDialer(&net.Dialer{Timeout: a.cfg.Timeout}), ldap.DialWithTLSConfig(a.cfg.TLS))
	if err != nil {
		a.lg.Error("LDAP directory unreachable", zap.String("url", a.cfg.URL), zap.String("user", user), zap.Error(err))
		return "", fmt.Errorf("%w (kitsune.authentication.ldap.url=%s)", ErrDirectory, a.cfg.URL)
	}
	defer conn.Close()
	conn.SetTimeout(a.cfg.Timeout)
	if a.cfg.StartTLS {
		if err := conn.StartTLS(a.cfg.TLS); err != nil {
			a.lg.Error("LDAP StartTLS failed", zap.Error(err))
			return "", fmt.Errorf("%w: StartTLS failed", ErrDirectory)
		}
	}
	dn := ""
	if a.cfg.UserDNPattern != "" {
		dn = fmt.Sprintf(a.cfg.UserDNPattern, ldap.EscapeDN(user))
	} else {
		if err := a.serviceBind(conn); err != nil {
			return "", err
		}
		res, err := conn.Search(ldap.NewSearchRequest(a.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, 0, false,
			userFilter(a.cfg.GUIDKey, user), []string{"dn"}, nil))
		if err != nil {
			return "", a.directoryError(err)
		}
		if len(res.Entries) != 1 {
			return refuse("no such user")
		}
		dn = res.Entries[0].DN
	}
	if err := conn.Bind(dn, password); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			return refuse("invalid credentials")
		}
		return "", a.directoryError(err)
	}
	if a.cfg.GroupFilter != "" {
		if err := a.serviceBind(conn); err != nil {
			return "", err
		}
		filter := groupFilter(a.cfg.GroupFilter, user, dn)
		res, err := conn.Search(ldap.NewSearchRequest(a.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 0, false,
			filter, []string{"dn"}, nil))
		if err != nil {
			return "", a.directoryError(err)
		}
		if len(res.Entries) == 0 {
			return refuse("not in the required group")
		}
	}
	if a.cfg.CacheTTL > 0 {
		a.mu.Lock()
		a.ok[user] = cached{sum: sum, expires: time.Now().Add(a.cfg.CacheTTL)}
		a.mu.Unlock()
	}
	return user, nil
}

// serviceBind binds as the search user (or anonymously).
func (a *ldapAuth) serviceBind(conn *ldap.Conn) error {
	var err error
	if a.cfg.BindDN != "" {
		err = conn.Bind(a.cfg.BindDN, a.cfg.BindPassword)
	} else {
		err = conn.UnauthenticatedBind("")
	}
	if err != nil {
		a.lg.Error("LDAP search bind failed", zap.String("binddn", a.cfg.BindDN), zap.Error(err))
		return fmt.Errorf("%w: the search bind failed (kitsune.authentication.ldap.binddn / .bindpw)", ErrDirectory)
	}
	return nil
}

func (a *ldapAuth) directoryError(err error) error {
	a.lg.Error("LDAP request failed", zap.Error(err))
	return fmt.Errorf("%w: %v", ErrDirectory, err)
}

// userFilter finds a user by its GUID attribute; the name is escaped, so
// it cannot change the filter's structure.
func userFilter(guidKey, user string) string {
	return fmt.Sprintf("(%s=%s)", guidKey, ldap.EscapeFilter(user))
}

// groupFilter fills the configured group filter's {user} and {dn}, escaped.
func groupFilter(tpl, user, dn string) string {
	return strings.NewReplacer("{user}", ldap.EscapeFilter(user), "{dn}", ldap.EscapeFilter(dn)).Replace(tpl)
}
