package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// New returns the Authenticator for the kitsune.authentication methods.
func New(methods []string) (Authenticator, error) {
	for _, m := range methods {
		switch m {
		case "NONE", "NOSASL":
		default:
			return nil, fmt.Errorf("kitsune.authentication=%s is not supported yet: use NONE or NOSASL", m)
		}
	}
	return None(), nil
}
