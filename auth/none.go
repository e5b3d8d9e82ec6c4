package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"
)

// ErrAuthFailed is returned for refused credentials. Its message never says
// whether the user exists.
var ErrAuthFailed = errors.New("authentication failed")

// Authenticator checks credentials and returns the session user.
type Authenticator interface {
	Authenticate(ctx context.Context, user, password, remoteAddr string) (string, error)
}

type none struct{}

var _ Authenticator = none{}

// None accepts every user; an empty user name becomes "anonymous".
func None() Authenticator { return none{} }

func (none) Authenticate(_ context.Context, user, _, _ string) (string, error) {
	user = strings.TrimSpace(user)
	if user == "" {
		return "anonymous", nil
	}
	if strings.ContainsAny(user, "/\\\x00") || user == "." || user == ".." {
		return "", fmt.Errorf("%w: user name %q is not allowed", ErrAuthFailed, user)
	}
	return user, nil
}

// New returns the password Authenticator for the kitsune.authentication
// methods: the first password method checks PLAIN and Basic credentials
// (NONE: anyone; LDAP: the directory). It returns nil when KERBEROS is the
// only method, so that password logins are refused.
func New(methods []string, ldapCfg LDAPConfig, lg *zap.Logger) (Authenticator, error) {
	kerberosOnly := false
	for _, m := range methods {
		switch m {
		case "NONE", "NOSASL":
			return None(), nil
		case "KERBEROS":
			kerberosOnly = true
		case "LDAP":
			if ldapCfg.URL == "" {
				return nil, fmt.Errorf("kitsune.authentication=LDAP needs kitsune.authentication.ldap.url")
			}
			if ldapCfg.UserDNPattern == "" && ldapCfg.BaseDN == "" {
				return nil, fmt.Errorf("kitsune.authentication=LDAP needs kitsune.authentication.ldap.userDNPattern or .baseDN")
			}
			return NewLDAP(ldapCfg, lg), nil
		default:
			return nil, fmt.Errorf("kitsune.authentication=%s is not supported: use NONE, NOSASL, LDAP or KERBEROS", m)
		}
	}
	if kerberosOnly {
		return nil, nil
	}
	return None(), nil
}
