package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// Poller keeps a policy file filled from a Ranger admin, as Ranger's own
// plugins keep their policy cache: it asks the policy-download endpoint
// (and the roles download) for anything newer than what it has and writes
// the answer to the file in one rename, so engines reading the file never
// see half of it. What it writes parses (it is checked first).
type Poller struct {
	// URL is the Ranger admin (http://ranger:6080); Service the Hive
	// service's name there.
	URL, Service string
	// Path is the file written; Interval the time between polls.
	Path     string
	Interval time.Duration
	Client   *http.Client
	Log      *zap.Logger

	policyVersion, roleVersion int64
	policies, roles            json.RawMessage
}

// ErrRanger marks a Ranger admin that did not answer usefully.
var ErrRanger = errors.New("ranger admin")

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	every(ctx, p.Interval, func() {
		if err := p.Fetch(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("ranger policy download failed: the last policies stay in force", zap.String("url", p.URL), zap.Error(err))
		}
	})
}

// Fetch asks once and writes the file if anything changed.
func (p *Poller) Fetch(ctx context.Context) error {
	pol, pv, err := p.get(ctx, "/service/plugins/policies/download/", "lastKnownVersion", p.policyVersion, "policyVersion")
	if err != nil {
		return err
	}
	rol, rv, err := p.get(ctx, "/service/roles/download/", "lastKnownRoleVersion", p.roleVersion, "roleVersion")
	if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	if pol == nil && rol == nil {
		return nil // neither changed
	}
	if pol != nil {
		p.policies, p.policyVersion = pol, pv
	}
	if rol != nil {
		p.roles, p.roleVersion = rol, rv
	}
	return p.write()
}

var errNotFound = errors.New("not found")

// get answers nil when the admin has nothing newer (304).
func (p *Poller) get(ctx context.Context, path, param string, known int64, versionField string) (json.RawMessage, int64, error) {
	u := p.URL + path + url.PathEscape(p.Service) + "?" + param + "=" + strconv.FormatInt(known, 10) + "&pluginId=kitsune@" + url.QueryEscape(p.Service)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w (kitsune.authorization.ranger.url)", ErrRanger, err)
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w %s: %w", ErrRanger, p.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, 0, nil
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, 0, fmt.Errorf("%w %s: %s answered 404: is %q the Hive service's name (kitsune.authorization.ranger.service.name)? %w", ErrRanger, p.URL, path, p.Service, errNotFound)
	default:
		return nil, 0, fmt.Errorf("%w %s: %s answered %s", ErrRanger, p.URL, path, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("%w %s: %w", ErrRanger, p.URL, err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, 0, fmt.Errorf("%w %s: %s: %w", ErrRanger, p.URL, path, err)
	}
	var version int64
	_ = json.Unmarshal(v[versionField], &version)
	return body, version, nil
}

// write puts the policies, with the roles as rangerRoles, into the file.
func (p *Poller) write() error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(p.policies, &doc); err != nil || doc == nil {
		return fmt.Errorf("%w %s: no policies downloaded yet", ErrRanger, p.URL)
	}
	if p.roles != nil {
		var r map[string]json.RawMessage
		if err := json.Unmarshal(p.roles, &r); err == nil && r["rangerRoles"] != nil {
			doc["rangerRoles"] = r["rangerRoles"]
		}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := Parse(data); err != nil {
		return fmt.Errorf("%w %s: the downloaded policies were not used: %w", ErrRanger, p.URL, err)
	}
	return writeAtomic(p.Path, data)
}
