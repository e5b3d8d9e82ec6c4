package server

import (
	"context"
	"os/user"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// buildSessions opens the metadata store (PostgreSQL, shared with other
// gateways, or the embedded one) and the session manager over the pool.
func buildSessions(cfg *conf.Config, workDir, secret string, pool *engine.Pool, obs *observer, lg *zap.Logger) (store.Store, *session.Manager, error) {
	var meta store.Store
	var err error
	shared := false
	if url := cfg.Frontend.StoreURL; url != "" {
		if meta, err = store.OpenPostgresWith(context.Background(), url, store.PostgresOptions{Retried: obs.m.StoreRetried}); err != nil {
			return nil, nil, err
		}
		shared = true
	} else if meta, err = store.OpenEmbedded(filepath.Join(workDir, "metadata.db")); err != nil {
		return nil, nil, err
	}
	meta = observedStore{Store: meta, obs: obs}
	lm := cfg.Limits
	limits := session.Limits{Sessions: lm.Sessions, OpsPerSession: lm.OpsPerSession, OpsPerUser: lm.OpsPerUser,
		PerUser: lm.PerUser, PerIP: lm.PerIP, PerUserIP: lm.PerUserIP,
		UnlimitedUser: lm.UnlimitedUsers, DenyUsers: lm.DenyUsers, DenyIPs: lm.DenyIPs}
	mgr := session.NewManager(session.Config{IdleTimeout: cfg.SessionIdleTimeout, CheckInterval: cfg.CheckInterval, Limits: limits,
		Store: meta, Shared: shared, Secret: secret, Observer: obs}, pool, lg)
	return meta, mgr, nil
}

// buildHandler builds the gateway's TCLIService over the manager.
func buildHandler(cfg *conf.Config, mgr *session.Manager, groups auth.GroupProvider, obs *observer, lg *zap.Logger) (*handler, error) {
	serverUser := "kitsune"
	if u, err := user.Current(); err == nil {
		serverUser = u.Username
	}
	resolver := tenancy.NewResolver(tenancy.Config{Settings: cfg, EngineType: cfg.EngineType, ServerUser: serverUser, Pinned: cfg.Engines.ProfilePinned},
		tenancy.NewPoolChooser(), engine.NewID)
	return &handler{cfg: cfg, tenancy: resolver, routes: routes(), mgr: mgr, groups: groups, proxy: auth.NewProxyRules(proxyRules(cfg.ProxyUsers)), obs: obs, lg: lg}, nil
}

// proxyRules hands the configured impersonation rules to auth.
func proxyRules(in map[string]conf.ProxyUser) map[string]auth.ProxyUser {
	out := make(map[string]auth.ProxyUser, len(in))
	for real, p := range in {
		out[real] = auth.ProxyUser{Users: p.Users, Groups: p.Groups, Hosts: p.Hosts, Source: p.Source}
	}
	return out
}

// buildGroups is where users' groups come from: the OS, or the static
// mapping file (kitsune.session.group.mapping).
func buildGroups(cfg *conf.Config) (auth.GroupProvider, error) {
	if path := cfg.Engines.GroupMapping; path != "" {
		return auth.StaticGroups(path)
	}
	return auth.OSGroups(), nil
}
