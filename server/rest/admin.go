package rest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kitsune-sql/kitsune/thrift/serve"
)

func (h *Handler) adminSessions(r *http.Request, id identity) (any, error) {
	users := splitParam(r, "users")
	out := []SessionData{}
	for _, s := range h.gw.Sessions() {
		if len(users) == 0 || slices.Contains(users, s.User) {
			out = append(out, h.sessionData(s))
		}
	}
	return out, nil
}

func (h *Handler) adminSession(r *http.Request, id identity) (any, error) {
	s, err := h.session(r, id)
	if err != nil {
		return nil, err
	}
	return h.sessionData(s), nil
}

// operations lists the open operations id may see, of the sessions named
// by the sessionHandle parameter and the users parameter when given.
func (h *Handler) adminOperations(r *http.Request, id identity) (any, error) {
	users := splitParam(r, "users")
	only := r.URL.Query().Get("sessionHandle")
	out := []OperationData{}
	for _, s := range h.gw.Sessions() {
		if (len(users) > 0 && !slices.Contains(users, s.User)) || (only != "" && serve.HandleID(s.Handle.SessionId.GUID) != only) {
			continue
		}
		for _, o := range s.Operations {
			out = append(out, h.operationData(r, id, s, o))
		}
	}
	return out, nil
}

func (h *Handler) adminOperation(r *http.Request, id identity) (any, error) {
	op, err := h.operation(r, id)
	if err != nil {
		return nil, err
	}
	for _, s := range h.gw.Sessions() {
		if string(s.Handle.SessionId.GUID) == string(op.SessionID) {
			return h.operationData(r, id, s, op), nil
		}
	}
	return nil, notFound("operation %s has no open session on this gateway", r.PathValue("operationHandle"))
}

// engines lists the engines of the user (the caller, or for an admin the
// proxyUser), filtered by type, share level and subdomain as Kyuubi does;
// an admin without proxyUser sees every user's.
func (h *Handler) engines(r *http.Request, id identity) ([]Engine, error) {
	all, err := h.gw.Engines(r.Context())
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var out []Engine
	for _, e := range all {
		if !(id.Admin && id.Proxy == "") && e.User != id.User {
			continue
		}
		if (q.Get("type") != "" && !strings.EqualFold(q.Get("type"), e.Type)) ||
			(q.Get("sharelevel") != "" && !strings.EqualFold(q.Get("sharelevel"), e.ShareLevel)) ||
			(q.Get("subdomain") != "" && q.Get("subdomain") != e.Subdomain) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func (h *Handler) listEngines(r *http.Request, id identity) (any, error) {
	es, err := h.engines(r, id)
	if err != nil {
		return nil, err
	}
	out := []EngineData{}
	for _, e := range es {
		out = append(out, EngineData{Version: h.cfg.Version, User: e.User, EngineType: e.Type, ShareLevel: e.ShareLevel, Subdomain: e.Subdomain,
			Instance: e.Addr, Namespace: e.Space, Attributes: map[string]string{"kyuubi.engine.id": e.ID}})
	}
	return out, nil
}

// deleteEngine deregisters the matching engines (no new session goes to
// them); kill=true also stops them.
func (h *Handler) deleteEngine(r *http.Request, id identity) (any, error) {
	es, err := h.engines(r, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, notFound("no engine of %s matches (type, sharelevel, subdomain)", id.User)
	}
	kill := strings.EqualFold(r.URL.Query().Get("kill"), "true")
	var msg []string
	for _, e := range es {
		if err := h.gw.DeleteEngine(r.Context(), e.ID, kill); err != nil {
			return nil, err
		}
		what := "deregistered"
		if kill {
			what = "deregistered and stopped"
		}
		msg = append(msg, "Engine "+e.ID+" ("+e.Space+") is "+what+".")
	}
	return text(strings.Join(msg, " ")), nil
}

func (h *Handler) listServers(r *http.Request, _ identity) (any, error) {
	out, err := h.gw.Servers(r.Context())
	if out == nil {
		out = []ServerData{}
	}
	return out, err
}

// refreshAnswer is Kyuubi's answer for each setting POST
// /admin/refresh/{what} reloads.
func refreshAnswer(what string) (string, bool) {
	switch what {
	case "user_defaults_conf":
		return "Refresh the user defaults conf successfully.", true
	case "unlimited_users":
		return "Refresh the unlimited users successfully.", true
	case "deny_users":
		return "Refresh the deny users successfully.", true
	case "deny_ips":
		return "Refresh the deny ips successfully.", true
	}
	return "", false
}

func (h *Handler) refresh(r *http.Request, _ identity) (any, error) {
	what := r.PathValue("what")
	answer, ok := refreshAnswer(what)
	if !ok {
		return nil, notFound("%s cannot be refreshed: user_defaults_conf, unlimited_users, deny_users and deny_ips can", what)
	}
	if err := h.gw.Refresh(r.Context(), what); err != nil {
		return nil, err
	}
	return text(answer), nil
}

func splitParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range strings.Split(r.URL.Query().Get(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
