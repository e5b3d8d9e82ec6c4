package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/authz"
	"github.com/kitsune-sql/kitsune/conf"
)

// authzParts are what SQL authorization needs at run time: the policy
// file engines read (the gateway's copy, in its work directory) and what
// keeps it current (a mirror of the admin's file, or a Ranger poller).
type authzParts struct {
	// path is the engines' policy file; empty: authorization is off.
	path string
	run  func(ctx context.Context)
}

// enginePairs are the settings that turn authorization on in engines.
func (a *authzParts) enginePairs() map[string]string {
	if a == nil || a.path == "" {
		return nil
	}
	return conf.AuthorizationPairs(a.path)
}

// buildAuthz checks the policies once (a gateway with a broken policy
// file does not start) and prepares the engines' copy.
func buildAuthz(ctx context.Context, cfg *conf.Config, workDir string, lg *zap.Logger) (*authzParts, error) {
	ac := cfg.Authorization
	if !ac.Enabled {
		return &authzParts{}, nil
	}
	path := filepath.Join(workDir, "authz", "policies.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("authorization: %w", err)
	}
	lg = lg.Named("authz")
	if ac.PolicyFile != "" {
		m := &authz.Mirror{Src: ac.PolicyFile, Dst: path, Interval: policyCheckInterval, Log: lg}
		if err := m.Sync(); err != nil {
			return nil, err
		}
		return &authzParts{path: path, run: m.Run}, nil
	}
	p := &authz.Poller{URL: ac.RangerURL, Service: ac.ServiceName, Path: path, Interval: ac.PollInterval, Client: &http.Client{Timeout: ac.PollInterval}, Log: lg}
	if err := p.Fetch(ctx); err != nil {
		// Ranger's own plugins start with their cache, else with nothing:
		// until a download succeeds every access is denied.
		lg.Error("ranger policy download failed at start", zap.String("url", ac.RangerURL), zap.Error(err))
		if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
			if err := os.WriteFile(path, []byte(`{"policies": []}`), 0o644); err != nil {
				return nil, fmt.Errorf("authorization: %w", err)
			}
		}
	}
	return &authzParts{path: path, run: p.Run}, nil
}

// policyCheckInterval is how often the admin's policy file is looked at.
const policyCheckInterval = 500 * time.Millisecond
