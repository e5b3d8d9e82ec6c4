package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/tenancy"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// handler is the gateway's TCLIService.
type handler struct {
	// draining refuses new sessions while open ones finish.
	draining atomic.Bool
	cfg      *conf.Config
	tenancy  *tenancy.Resolver
	mgr      *session.Manager
	groups   auth.GroupProvider
	proxy    *auth.ProxyRules
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
		resp.Status = status.From(&status.Error{SQLState: status.StateConnection,
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
			resp.Status = status.From(&status.Error{SQLState: status.StateAuth, Message: err.Error()})
			return resp, nil
		}
		h.lg.Info("impersonation", zap.String("user", user), zap.String("proxy_user", proxy), zap.String("remote", peer.Addr))
		user = proxy
	}
	dec, err := h.tenancy.Resolve(tenancy.Request{User: user, Groups: h.groups.Groups(user), Confs: confs})
	if err != nil {
		h.lg.Warn("session refused", zap.String("user", user), zap.String("remote", peer.Addr), zap.Error(err))
		resp.Status = status.From(err)
		return resp, nil
	}
	s, eresp, err := h.mgr.Open(ctx, session.OpenRequest{User: user, Owner: owner, Addr: peer.Addr, ConnID: peer.ConnID, Key: dec.Key, Spec: dec.Spec, Protocol: proto,
		Namespace: req.GetInitialNamespace()})
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
	s, err := h.mgr.Get(req.SessionHandle, serve.PeerFrom(ctx).User)
	if err != nil {
		return &tcli.TCloseSessionResp{Status: statusOf(err)}, nil
	}
	if err := h.mgr.Close(ctx, s); err != nil {
		h.lg.Debug("close session on engine failed", zap.Error(err))
	}
	return &tcli.TCloseSessionResp{Status: status.OK()}, nil
}

// viaSession forwards a call addressed by session handle; an operation
// handle in the reply is recorded for later calls.
func viaSession[R any](h *handler, ctx context.Context, sh *tcli.TSessionHandle, fail func(*tcli.TStatus) R,
	call func(ctx context.Context, c *client.Client) (R, error), op func(R) *tcli.TOperationHandle) (R, error) {
	s, err := h.mgr.Get(sh, serve.PeerFrom(ctx).User)
	if err != nil {
		return fail(statusOf(err)), nil
	}
	if op != nil {
		if err := h.mgr.AllowOperation(s); err != nil {
			return fail(status.From(err)), nil
		}
	}
	r, ok := forward(h, ctx, s, fail, call)
	if ok && op != nil {
		h.mgr.AddOperation(s, op(r))
	}
	return r, nil
}

// viaOperation forwards a call addressed by operation handle.
func viaOperation[R any](h *handler, ctx context.Context, oh *tcli.TOperationHandle, fail func(*tcli.TStatus) R,
	call func(ctx context.Context, c *client.Client) (R, error)) (R, *session.Session, error) {
	s, err := h.mgr.ForOperation(oh, serve.PeerFrom(ctx).User)
	if err != nil {
		return fail(statusOf(err)), nil, nil
	}
	r, _ := forward(h, ctx, s, fail, call)
	return r, s, nil
}

// forward runs call on one of s's engine connections; a failure becomes the
// reply built by fail, explaining what happened to the engine.
func forward[R any](h *handler, ctx context.Context, s *session.Session, fail func(*tcli.TStatus) R,
	call func(ctx context.Context, c *client.Client) (R, error)) (R, bool) {
	var r R
	err := s.Call(ctx, func(c *client.Client) error {
		var err error
		r, err = call(ctx, c)
		return err
	})
	if err != nil {
		return fail(status.From(h.engineError(s, err))), false
	}
	return r, true
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
	msg := "the engine serving this session (" + s.Engine.Key.String() + ", engine " + s.Engine.ID + ") "
	if !s.Engine.Alive() {
		msg += "stopped; open a new session and kitsune launches a new engine; engine log: " + s.Engine.LogPath
	} else {
		msg += "did not answer: " + err.Error()
	}
	return &status.Error{SQLState: status.StateConnection, Message: msg, Err: err}
}

// ExecuteStatement implements tcli.TCLIService.
func (h *handler) ExecuteStatement(ctx context.Context, req *tcli.TExecuteStatementReq) (*tcli.TExecuteStatementResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TExecuteStatementResp { return &tcli.TExecuteStatementResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TExecuteStatementResp, error) {
			return c.ExecuteStatement(ctx, req)
		},
		func(r *tcli.TExecuteStatementResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// openOperation is the handle to route later calls by: none when the
// engine already closed the operation in its direct results.
func openOperation(h *tcli.TOperationHandle, d *tcli.TSparkDirectResults) *tcli.TOperationHandle {
	if d != nil && d.CloseOperation != nil {
		return nil
	}
	return h
}

// GetInfo implements tcli.TCLIService: the engine answers, or the gateway
// itself with kitsune.server.info.provider=SERVER (Kyuubi's choice).
func (h *handler) GetInfo(ctx context.Context, req *tcli.TGetInfoReq) (*tcli.TGetInfoResp, error) {
	if h.cfg.InfoProvider == "SERVER" || req.InfoType == tcli.TGetInfoType_CLI_SERVER_NAME {
		if _, err := h.mgr.Get(req.SessionHandle, serve.PeerFrom(ctx).User); err != nil {
			return &tcli.TGetInfoResp{Status: statusOf(err), InfoValue: status.EmptyInfo()}, nil
		}
		v, err := serve.Info(req.InfoType, serve.Identity{DBMS: "kitsune", Version: Version})
		if err != nil {
			return &tcli.TGetInfoResp{Status: status.From(err), InfoValue: status.EmptyInfo()}, nil
		}
		return &tcli.TGetInfoResp{Status: status.OK(), InfoValue: v}, nil
	}
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetInfoResp {
		return &tcli.TGetInfoResp{Status: st, InfoValue: status.EmptyInfo()}
	}, func(ctx context.Context, c *client.Client) (*tcli.TGetInfoResp, error) { return c.GetInfo(ctx, req) }, nil)
}

// SetClientInfo implements tcli.TCLIService.
func (h *handler) SetClientInfo(ctx context.Context, req *tcli.TSetClientInfoReq) (*tcli.TSetClientInfoResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TSetClientInfoResp { return &tcli.TSetClientInfoResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TSetClientInfoResp, error) {
			return c.SetClientInfo(ctx, req)
		}, nil)
}

// GetOperationStatus implements tcli.TCLIService.
func (h *handler) GetOperationStatus(ctx context.Context, req *tcli.TGetOperationStatusReq) (*tcli.TGetOperationStatusResp, error) {
	r, _, err := viaOperation(h, ctx, req.OperationHandle, func(st *tcli.TStatus) *tcli.TGetOperationStatusResp { return &tcli.TGetOperationStatusResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetOperationStatusResp, error) {
			return c.GetOperationStatus(ctx, req)
		})
	return r, err
}

// CancelOperation implements tcli.TCLIService.
func (h *handler) CancelOperation(ctx context.Context, req *tcli.TCancelOperationReq) (*tcli.TCancelOperationResp, error) {
	r, _, err := viaOperation(h, ctx, req.OperationHandle, func(st *tcli.TStatus) *tcli.TCancelOperationResp { return &tcli.TCancelOperationResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TCancelOperationResp, error) {
			return c.CancelOperation(ctx, req)
		})
	return r, err
}

// CloseOperation implements tcli.TCLIService.
func (h *handler) CloseOperation(ctx context.Context, req *tcli.TCloseOperationReq) (*tcli.TCloseOperationResp, error) {
	r, s, err := viaOperation(h, ctx, req.OperationHandle, func(st *tcli.TStatus) *tcli.TCloseOperationResp { return &tcli.TCloseOperationResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TCloseOperationResp, error) {
			return c.CloseOperation(ctx, req)
		})
	if s != nil {
		h.mgr.RemoveOperation(s, req.OperationHandle)
	}
	return r, err
}

// GetResultSetMetadata implements tcli.TCLIService.
func (h *handler) GetResultSetMetadata(ctx context.Context, req *tcli.TGetResultSetMetadataReq) (*tcli.TGetResultSetMetadataResp, error) {
	r, _, err := viaOperation(h, ctx, req.OperationHandle, func(st *tcli.TStatus) *tcli.TGetResultSetMetadataResp {
		return &tcli.TGetResultSetMetadataResp{Status: st}
	},
		func(ctx context.Context, c *client.Client) (*tcli.TGetResultSetMetadataResp, error) {
			return c.GetResultSetMetadata(ctx, req)
		})
	return r, err
}

// FetchResults implements tcli.TCLIService.
func (h *handler) FetchResults(ctx context.Context, req *tcli.TFetchResultsReq) (*tcli.TFetchResultsResp, error) {
	r, _, err := viaOperation(h, ctx, req.OperationHandle, func(st *tcli.TStatus) *tcli.TFetchResultsResp { return &tcli.TFetchResultsResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TFetchResultsResp, error) {
			return c.FetchResults(ctx, req)
		})
	return r, err
}

// GetQueryId implements tcli.TCLIService.
func (h *handler) GetQueryId(ctx context.Context, req *tcli.TGetQueryIdReq) (*tcli.TGetQueryIdResp, error) {
	r, _, err := viaOperation(h, ctx, req.OperationHandle, func(*tcli.TStatus) *tcli.TGetQueryIdResp { return &tcli.TGetQueryIdResp{} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetQueryIdResp, error) {
			return c.GetQueryId(ctx, req)
		})
	return r, err
}

var errNoTokens = &status.Error{SQLState: status.StateGeneral, Message: "delegation tokens are not supported by kitsune"}

// GetDelegationToken implements tcli.TCLIService.
func (h *handler) GetDelegationToken(context.Context, *tcli.TGetDelegationTokenReq) (*tcli.TGetDelegationTokenResp, error) {
	return &tcli.TGetDelegationTokenResp{Status: status.From(errNoTokens)}, nil
}

// CancelDelegationToken implements tcli.TCLIService.
func (h *handler) CancelDelegationToken(context.Context, *tcli.TCancelDelegationTokenReq) (*tcli.TCancelDelegationTokenResp, error) {
	return &tcli.TCancelDelegationTokenResp{Status: status.From(errNoTokens)}, nil
}

// RenewDelegationToken implements tcli.TCLIService.
func (h *handler) RenewDelegationToken(context.Context, *tcli.TRenewDelegationTokenReq) (*tcli.TRenewDelegationTokenResp, error) {
	return &tcli.TRenewDelegationTokenResp{Status: status.From(errNoTokens)}, nil
}
