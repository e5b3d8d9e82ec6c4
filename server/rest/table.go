package rest

import (
	"net/http"

	"sort"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// table is the REST API: every endpoint, served and documented from here.
func (h *Handler) table() []route {
	t := []route{
		{method: "GET", path: "/ping", summary: "Readiness: pong while the gateway takes clients (serving and registered), 503 otherwise (starting, draining).",
			public: true, resp: "", fn: h.ping},
		{method: "GET", path: "/version", summary: "The gateway's version.", resp: VersionInfo{},
			fn: func(*http.Request, identity) (any, error) { return VersionInfo{Version: h.cfg.Version}, nil }},

		{method: "GET", path: "/sessions", summary: "The caller's open sessions (an admin's: everyone's).", resp: []SessionData{}, fn: h.listSessions},
		{method: "GET", path: "/sessions/count", summary: "How many sessions the caller sees open.", resp: SessionOpenCount{}, fn: h.countSessions},
		{method: "GET", path: "/sessions/{sessionHandle}", summary: "One session.", resp: SessionEvent{}, fn: h.getSession},
		{method: "GET", path: "/sessions/{sessionHandle}/info/{infoType}", summary: "GetInfo of a session (infoType: a TGetInfoType number).",
			resp: InfoDetail{}, fn: h.sessionInfo},
		{method: "POST", path: "/sessions", summary: "Open a session: the same tenancy, engines and limits as an HS2 session.",
			query: []string{"proxyUser", "hive.server2.proxy.user"}, body: SessionOpenRequest{}, resp: SessionHandle{}, fn: h.openSession},
		{method: "DELETE", path: "/sessions/{sessionHandle}", summary: "Close a session.", fn: h.closeSession},
		{method: "GET", path: "/sessions/{sessionHandle}/operations", summary: "The session's open operations.", resp: []OperationData{}, fn: h.sessionOperations},

		{method: "GET", path: "/operations/{operationHandle}/event", summary: "An operation's state and times.", resp: OperationEvent{}, fn: h.operationEvent},
		{method: "PUT", path: "/operations/{operationHandle}", summary: "Cancel or close an operation.", body: OpActionRequest{}, fn: h.operationAction},
		{method: "GET", path: "/operations/{operationHandle}/resultsetmetadata", summary: "The result's columns.", resp: ResultSetMetaData{}, fn: h.resultSetMetadata},
		{method: "GET", path: "/operations/{operationHandle}/log", summary: "The operation's log lines.", query: []string{"maxrows"}, resp: OperationLog{},
			fn: h.operationLog},
		{method: "GET", path: "/operations/{operationHandle}/rowset", summary: "The next rows of the result.", query: []string{"maxrows", "fetchorientation"},
			resp: ResultRowSet{}, fn: h.rowSet},

		{method: "GET", path: "/admin/sessions", summary: "Every open session of this gateway.", admin: true, query: []string{"users"},
			resp: []SessionData{}, fn: h.adminSessions},
		{method: "GET", path: "/admin/sessions/{sessionHandle}", summary: "Any session.", admin: true, resp: SessionData{}, fn: h.adminSession},
		{method: "DELETE", path: "/admin/sessions/{sessionHandle}", summary: "Close any session.", admin: true, resp: "", fn: h.closeSession},
		{method: "GET", path: "/admin/operations", summary: "Every open operation of this gateway.", admin: true, query: []string{"users", "sessionHandle"},
			resp: []OperationData{}, fn: h.adminOperations},
		{method: "GET", path: "/admin/operations/{operationHandle}", summary: "Any operation.", admin: true, resp: OperationData{}, fn: h.adminOperation},
		{method: "DELETE", path: "/admin/operations/{operationHandle}", summary: "Close any operation.", admin: true, resp: "", fn: h.closeOperation},
		{method: "GET", path: "/admin/engine", summary: "The engines of a user (an admin's proxyUser, else the caller).",
			query: []string{"type", "sharelevel", "subdomain", "proxyUser", "hive.server2.proxy.user"}, resp: []EngineData{}, fn: h.listEngines},
		{method: "DELETE", path: "/admin/engine", summary: "Deregister the matching engines; kill=true also stops them.",
			query: []string{"type", "sharelevel", "subdomain", "proxyUser", "hive.server2.proxy.user", "kill"}, resp: "", fn: h.deleteEngine},
		{method: "GET", path: "/admin/server", summary: "The gateways of the deployment.", admin: true, resp: []ServerData{}, fn: h.listServers},
		{method: "POST", path: "/admin/refresh/{what}", summary: "Reload user_defaults_conf, unlimited_users, deny_users or deny_ips from the configuration files.",
			admin: true, resp: "", fn: h.refresh},
	}
	for name, r := range h.opening() {
		r.method, r.path, r.resp = "POST", "/sessions/{sessionHandle}/operations/"+name, OperationHandle{}
		r.summary = "Run " + name + " on the session; the operation's handle."
		t = append(t, r)
	}
	t = append(t, h.batchRoutes()...)
	sort.SliceStable(t, func(i, j int) bool {
		return t[i].path < t[j].path || t[i].path == t[j].path && t[i].method < t[j].method
	})
	return t
}

func (h *Handler) ping(*http.Request, identity) (any, error) {
	if h.cfg.Ready != nil {
		if err := h.cfg.Ready(); err != nil {
			return nil, &apiError{status: http.StatusServiceUnavailable, code: status.CodeGatewayDraining, msg: err.Error()}
		}
	}
	return text("pong"), nil
}
