package tenancy

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Request is who asks for a session and with which confs.
type Request struct {
	// User is who the session runs as (the proxy user under impersonation).
	User string
	// Groups are User's groups, primary first (the caller asks the group
	// provider: Resolve does no I/O).
	Groups []string
	// Confs are the client's OpenSession configuration as sent, less the
	// proxy-user keys.
	Confs map[string]string
}

// Decision is which engine serves a session and how to launch one.
type Decision struct {
	Key  Key
	Spec Spec
	// Pinned says the key carries no profile (one engine per key, whatever
	// the session asked for): see Warnings.
	Pinned bool
}

// Warnings are what the session asked for and did not get from the engine
// it was given (launched with got): a pinned engine's other profile.
func (d Decision) Warnings(got conf.Profile) []string {
	if !d.Pinned || d.Spec.Profile == got {
		return nil
	}
	return []string{fmt.Sprintf("the engine of %s is pinned (kitsune.session.conf.profile.pinned) and runs with [%s]: "+
		"these session confs did not apply: %s", d.Key, got, d.Spec.Profile)}
}

// Chooser picks a member of an engine pool: i in [0, size).
type Chooser interface {
	Member(tenant, pool string, size int, policy string) int
}

// Config is what the decision depends on besides the request.
type Config struct {
	// Settings layer and check the session's confs.
	Settings *conf.Config
	// EngineType is kitsune.engine.type.
	EngineType string
	// ServerUser routes SERVER share-level sessions.
	ServerUser string
	// Pinned is kitsune.session.conf.profile.pinned.
	Pinned bool
}

// Resolver makes the decision; Choose and NewID are its only sources of
// chance (pool members, CONNECTION engine ids), so tests can fix them.
type Resolver struct {
	cfg    Config
	choose Chooser
	newID  func() string
	// settings are cfg.Settings until an admin's refresh replaces them.
	settings atomic.Pointer[conf.Config]
}

// NewResolver returns a Resolver.
func NewResolver(cfg Config, choose Chooser, newID func() string) *Resolver {
	r := &Resolver{cfg: cfg, choose: choose, newID: newID}
	r.settings.Store(cfg.Settings)
	return r
}

// ServerUser is the user SERVER share-level sessions run as: the user
// the gateway runs as.
func (r *Resolver) ServerUser() string { return r.cfg.ServerUser }

// SetSettings replaces the settings later decisions layer the session's
// confs on (user and group defaults reloaded by an admin's refresh);
// decisions already made keep theirs.
func (r *Resolver) SetSettings(c *conf.Config) { r.settings.Store(c) }

// Resolve decides which engine serves a session. A refusal is a
// *status.Error with SQLSTATE 42000 and one of the status.Code* values.
func (r *Resolver) Resolve(req Request) (Decision, error) {
	res, err := r.settings.Load().ResolveSession(conf.SessionRequest{User: req.User, Groups: req.Groups, Confs: req.Confs})
	if err != nil {
		return Decision{}, refusal(err)
	}
	key := Key{Type: r.cfg.EngineType, ShareLevel: res.ShareLevel, User: req.User, Subdomain: res.Subdomain, Profile: res.Profile}
	if res.PoolSize > 0 {
		i := r.choose.Member(req.User, res.PoolName, res.PoolSize, res.PoolPolicy)
		key.Subdomain = fmt.Sprintf("%s-%d", res.PoolName, i)
	}
	switch res.ShareLevel {
	case "GROUP":
		if len(req.Groups) == 0 {
			return Decision{}, status.Errorf(status.StateInvalidConf, status.CodeNoGroup,
				"kitsune.engine.share.level=GROUP: user %s is in no group (kitsune.engine.group.mapping.file, or the OS groups)", req.User)
		}
		key.User = req.Groups[0]
	case "SERVER":
		key.User = r.cfg.ServerUser
	case "CONNECTION":
		key.Subdomain = r.newID()
	}
	if r.cfg.Pinned {
		key.Profile = conf.Profile{}
	}
	confs := res.Confs // made for this session by ResolveSession
	confs["use:database"] = res.Database
	return Decision{Key: key, Spec: Spec{Profile: res.Profile, Confs: confs}, Pinned: r.cfg.Pinned}, nil
}

// code maps conf's refusal kinds to the codes a client sees.
func code(k conf.RefusalKind) int32 {
	switch k {
	case conf.RefusedRestricted:
		return status.CodeConfRestricted
	case conf.RefusedUnknown:
		return status.CodeConfUnknown
	case conf.RefusedServerScope:
		return status.CodeConfServerScope
	case conf.RefusedMaximum:
		return status.CodeAboveMaximum
	}
	return status.CodeConfInvalid
}

func refusal(err error) error {
	var re *conf.RefusedError
	if !errors.As(err, &re) {
		return status.Errorf(status.StateInvalidConf, status.CodeConfInvalid, "session configuration: %w", err)
	}
	return &status.Error{SQLState: status.StateInvalidConf, Code: code(re.Kind), Message: re.Msg, Err: err}
}
