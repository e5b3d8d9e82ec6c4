package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// handler is the gateway's TCLIService.
type handler struct {
	serve.NoDelegationTokens
	// draining refuses new sessions while open ones finish.
	draining atomic.Bool
	cfg      *conf.Config
	tenancy  *tenancy.Resolver
	routes   map[string]route
	mgr      *session.Manager
	groups   auth.GroupProvider
	proxy    *auth.ProxyRules
	obs      *observer
	lg       *zap.Logger
}

var (
	_ tcli.TCLIService         = (*handler)(nil)
	_ serve.DisconnectListener = (*handler)(nil)
)

func (h *handler) ConnectionClosed(connID uint64) { h.mgr.ConnectionClosed(connID) }

func statusOf(err error) *tcli.TStatus {
	switch {
	case errors.Is(err, session.ErrNoSession):
		return status.InvalidHandle("session")
	case errors.Is(err, session.ErrNoOperation):
		return status.InvalidHandle("operation")
	}
	return status.From(err)
}

// OpenSession authenticates (done by the transport), validates the client's
// confs and opens a session on the user's engine.
func (h *handler) OpenSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	resp, err := h.openSession(ctx, req)
	if resp.Status.StatusCode == tcli.TStatusCode_ERROR_STATUS && err == nil {
		resp.SessionHandle = h.mgr.Refused(status.AsError(resp.Status))
	}
	return resp, err
}

func (h *handler) openSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	resp := tcli.NewTOpenSessionResp()
	if h.draining.Load() {
		resp.Status = status.From(&status.Error{SQLState: status.StateConnection, Code: status.CodeGatewayDraining,
			Message: "this gateway is stopping: connect to another one (ZooKeeper mode finds a live gateway)"})
		return resp, nil
	}
	proto, err := serve.ClientProtocol(req)
	if err != nil {
		resp.Status = status.From(err)
		return resp, nil
	}
	// What the engine answers for the client's version is what the client
	// gets: a Spark engine's Hive version turns the Spark features off.
	resp.ServerProtocolVersion = serve.NegotiateProtocol(proto)
	peer := serve.PeerFrom(ctx)
	user := peer.User
	if user == "" {
		user = req.GetUsername()
	}
	if user == "" {
		user = "anonymous"
	}
	confs := map[string]string{}
	proxy := ""
	for k, v := range req.GetConfiguration() {
		switch conf.Canonical(strings.TrimPrefix(k, "set:hiveconf:")) {
		case "hive.server2.proxy.user", conf.KeyProxyUser:
			proxy = strings.TrimSpace(v)
		default:
			confs[k] = v
		}
	}
	owner := user
	if proxy != "" && proxy != user {
		if err := h.proxy.Check(user, proxy, h.groups.Groups(proxy), peer.Addr); err != nil {
			h.lg.Warn("impersonation refused", zap.String("user", user), zap.String("proxy_user", proxy), zap.String("remote", peer.Addr))
			resp.Status = status.From(&status.Error{SQLState: status.StateAuth, Code: status.CodeImpersonation, Message: err.Error(), Err: err})
			return resp, nil
		}
		h.lg.Info("impersonation", zap.String("user", user), zap.String("proxy_user", proxy), zap.String("remote", peer.Addr))
		user = proxy
	}
	userGroups := h.groups.Groups(user)
	dec, err := h.tenancy.Resolve(tenancy.Request{User: user, Groups: userGroups, Confs: confs})
	if err != nil {
		h.lg.Warn("session refused", zap.String("user", user), zap.String("remote", peer.Addr), zap.Error(err))
		resp.Status = status.From(err)
		return resp, nil
	}
	s, eresp, err := h.mgr.Open(ctx, session.OpenRequest{User: user, Owner: owner, Addr: peer.Addr, ConnID: peer.ConnID, Key: dec.Key, Spec: dec.Spec, Protocol: proto,
		Namespace: req.GetInitialNamespace(), Groups: h.sessionGroups(userGroups)})
	if err != nil {
		h.lg.Warn("open session failed", zap.String("user", user), zap.String("remote", peer.Addr), zap.Error(err))
		resp.Status = status.From(err)
		return resp, nil
	}
	h.lg.Info("session opened", zap.String("user", user), zap.String("login", peer.Principal), zap.String("remote", peer.Addr), zap.String("engine", s.Engine.ID),
		zap.String("key", dec.Key.String()))
	resp.Status = status.OK()
	if w := dec.Warnings(s.Engine.Profile); len(w) > 0 {
		resp.Status = status.WithInfo(w...)
	}
	resp.SessionHandle = s.Handle
	resp.ServerProtocolVersion = eresp.ServerProtocolVersion
	resp.CanUseMultipleCatalogs = eresp.CanUseMultipleCatalogs
	resp.InitialNamespace = eresp.InitialNamespace
	resp.Configuration = map[string]string{
		"hive.server2.thrift.resultset.default.fetch.size": strconv.Itoa(h.cfg.DefaultFetchSize),
		conf.KeyEngineID: s.Engine.ID,
	}
	return resp, nil
}

// CloseSession implements tcli.TCLIService.
func (h *handler) CloseSession(ctx context.Context, req *tcli.TCloseSessionReq) (*tcli.TCloseSessionResp, error) {
	s, err := h.mgr.Get(ctx, req.SessionHandle, serve.PeerFrom(ctx).User)
	if err != nil {
		return &tcli.TCloseSessionResp{Status: statusOf(err)}, nil
	}
	if err := h.mgr.Close(ctx, s); err != nil {
		h.lg.Debug("close session on engine failed", zap.Error(err))
	}
	return &tcli.TCloseSessionResp{Status: status.OK()}, nil
}

// deathWait is how long a failed call waits to learn whether the engine
// process died, so that the client hears "stopped" rather than "did not
// answer".
const deathWait = 200 * time.Millisecond

func (h *handler) engineError(s *session.Session, err error) error {
	var se *status.Error
	if !errors.As(err, &se) && s.Engine.DiedWithin(deathWait) || !s.Engine.Alive() {
		h.lg.Warn("engine of session died", zap.String("user", s.User), zap.String("engine", s.Engine.ID))
		go func() { _ = h.mgr.Close(context.Background(), s) }()
	}
	if errors.As(err, &se) {
		return err
	}
	e := engineErr(s, err)
	h.mgr.EngineFailed(s)
	return e
}

func engineErr(s *session.Session, err error) error {
	if !s.Engine.Alive() {
		return session.EngineStopped(s.Engine, err)
	}
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeEngineLost, Err: err,
		Message: "the engine serving this session (" + s.Engine.Key.String() + ", engine " + s.Engine.ID + ") did not answer: " + err.Error()}
}

// serverInfo answers GetInfo as the gateway itself with
// kitsune.server.info.provider=SERVER (Kyuubi's choice), and always for
// CLI_SERVER_NAME; otherwise the engine answers.
func (h *handler) serverInfo(ctx context.Context, r thrift.TStruct) (thrift.TStruct, bool) {
	req := r.(*tcli.TGetInfoReq)
	if h.cfg.InfoProvider != "SERVER" && req.InfoType != tcli.TGetInfoType_CLI_SERVER_NAME {
		return nil, false
	}
	if _, err := h.mgr.Get(ctx, req.SessionHandle, serve.PeerFrom(ctx).User); err != nil {
		return &tcli.TGetInfoResp{Status: statusOf(err), InfoValue: status.EmptyInfo()}, true
	}
	v, err := serve.Info(req.InfoType, serve.Identity{DBMS: "kitsune", Version: Version})
	if err != nil {
		return &tcli.TGetInfoResp{Status: status.From(err), InfoValue: status.EmptyInfo()}, true
	}
	return &tcli.TGetInfoResp{Status: status.OK(), InfoValue: v}, true
}

// sessionGroups are the groups handed to the engine: with authorization
// on, always a list (possibly empty), so the engine never takes a
// client's word for them.
func (h *handler) sessionGroups(groups []string) []string {
	if !h.cfg.Authorization.Enabled {
		return nil
	}
	if groups == nil {
		return []string{}
	}
	return groups
}
