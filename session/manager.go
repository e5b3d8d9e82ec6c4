package session

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Sentinel errors.
var (
	// ErrNoSession is an unknown or foreign session handle.
	ErrNoSession = errors.New("session: no such session")
	// ErrNoOperation is an unknown or foreign operation handle.
	ErrNoOperation = errors.New("session: no such operation")
)

// EnginePool is what the manager needs of the engine pool.
type EnginePool interface {
	Acquire(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*engine.Engine, error)
	Release(key tenancy.Key)
	Invalidate(e *engine.Engine)
}

// Config configures a Manager.
type Config struct {
	IdleTimeout   time.Duration
	CheckInterval time.Duration
	Limits        Limits
	// Store records sessions and operations; with a shared store other
	// gateways adopt this gateway's HTTP sessions.
	Store store.Store
	// Shared says the store is shared with other gateways.
	Shared bool
	// Gateway names this gateway in the store (host:port).
	Gateway string
	// Secret is the deployment's engine secret, to adopt sessions.
	Secret string
	// Dialer connects to engines (ClientDialer when nil).
	Dialer Dialer
}

// Manager keeps the gateway's sessions and routes handles to them.
type Manager struct {
	cfg     Config
	pool    EnginePool
	lg      *zap.Logger
	limiter *limiter

	mu struct {
		sync.Mutex
		sessions map[string]*Session
		ops      map[string]*Session
		// refused remembers why recent OpenSession calls were refused, by
		// the handle handed out with the refusal, for clients (gohive) that
		// ignore OpenSession's status and call on.
		refused      map[string]error
		refusedOrder []string
		// userOps counts each user's open operations.
		userOps map[string]int
	}
}

// maxRefused bounds the remembered refusals.
const maxRefused = 1024

// Refused records err for a refused session and returns a handle that
// answers every later call with it.
func (m *Manager) Refused(err error) *tcli.TSessionHandle {
	h := &tcli.TSessionHandle{SessionId: serve.NewHandleID()}
	k := string(h.SessionId.GUID)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.refused[k] = err
	m.mu.refusedOrder = append(m.mu.refusedOrder, k)
	if len(m.mu.refusedOrder) > maxRefused {
		delete(m.mu.refused, m.mu.refusedOrder[0])
		m.mu.refusedOrder = m.mu.refusedOrder[1:]
	}
	return h
}

// NewManager returns a Manager over pool.
func NewManager(cfg Config, pool EnginePool, lg *zap.Logger) *Manager {
	if cfg.Dialer == nil {
		cfg.Dialer = ClientDialer{}
	}
	m := &Manager{cfg: cfg, pool: pool, lg: lg, limiter: newLimiter(cfg.Limits)}
	m.mu.sessions = map[string]*Session{}
	m.mu.ops = map[string]*Session{}
	m.mu.refused = map[string]error{}
	m.mu.userOps = map[string]int{}
	return m
}

// OpenRequest is what opening a session needs.
type OpenRequest struct {
	User   string
	Owner  string // the authenticated user; User when empty
	Addr   string // client address, for the connection limits
	ConnID uint64
	Key    tenancy.Key
	// Spec is what a launch of Key needs; its confs open the engine session.
	Spec tenancy.Spec
	// Protocol is the version the client asked for (field 1282 when set).
	Protocol tcli.TProtocolVersion
	// Namespace is the client's initial catalog and schema, if it sent one.
	Namespace *tcli.TNamespace
}

// Open acquires the engine for req.Key and opens a session on it.
func (m *Manager) Open(ctx context.Context, req OpenRequest) (_ *Session, _ *tcli.TOpenSessionResp, err error) {
	if err := m.limiter.acquire(req.User, req.Addr); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			m.limiter.release(req.User, req.Addr)
		}
	}()
	// A cached engine that stopped answering is invalidated and the
	// session tried once more on a fresh one.
	var eng *engine.Engine
	var c EngineConn
	var dial func(ctx context.Context) (EngineConn, error)
	for attempt := 0; ; attempt++ {
		eng, err = m.pool.Acquire(ctx, req.Key, req.Spec)
		if err != nil {
			return nil, nil, &status.Error{SQLState: status.StateConnection, Code: status.CodeNoEngine, Message: "no engine for " + req.User + ": " + err.Error(), Err: err}
		}
		dial = m.dialer(eng, req.User)
		if c, err = dial(ctx); err == nil {
			break
		}
		m.pool.Invalidate(eng)
		m.pool.Release(req.Key)
		if attempt > 0 {
			return nil, nil, err
		}
		m.lg.Warn("engine does not answer, trying another", zap.String("key", req.Key.String()), zap.String("engine", eng.ID), zap.Error(err))
	}
	confs := req.Spec.Confs
	if m.cfg.Shared && req.ConnID == 0 {
		confs = make(map[string]string, len(req.Spec.Confs)+1)
		for k, v := range req.Spec.Confs {
			confs[k] = v
		}
		confs[conf.KeySessionDetached] = "true"
	}
	ereq := &tcli.TOpenSessionReq{Username: &req.User, Configuration: confs, InitialNamespace: req.Namespace}
	serve.ForwardProtocol(ereq, req.Protocol)
	resp, err := c.OpenSession(ctx, ereq)
	if err == nil && !status.Succeeded(resp.Status) {
		err = status.AsError(resp.Status)
	}
	if err != nil {
		c.Close()
		m.pool.Release(req.Key)
		return nil, nil, engineError(eng, err)
	}
	s := newSession(resp.SessionHandle, req.User, req.ConnID, eng, c, dial)
	s.Protocol = resp.ServerProtocolVersion
	s.Owner = req.Owner
	if s.Owner == "" {
		s.Owner = req.User
	}
	if m.cfg.Store != nil {
		rec := store.Session{ID: hex.EncodeToString(s.Handle.SessionId.GUID), User: s.User, Owner: s.Owner, EngineID: eng.ID,
			EngineAddr: eng.Addr, EngineKey: req.Key.String(), Gateway: m.cfg.Gateway, Protocol: int32(s.Protocol), Created: time.Now()}
		if err := m.cfg.Store.PutSession(ctx, rec); err != nil {
			m.lg.Warn("could not record the session in the metadata store", zap.Error(err))
		}
		now := time.Now()
		er := store.Engine{ID: eng.ID, Key: req.Key.String(), Addr: eng.Addr, User: req.Key.User, Profile: eng.Profile.String(),
			State: "RUNNING", Gateway: m.cfg.Gateway, Created: now, Updated: now}
		if err := m.cfg.Store.PutEngine(ctx, er); err != nil {
			m.lg.Warn("could not record the engine in the metadata store", zap.Error(err))
		}
	}
	key := req.Key
	s.release = func() {
		m.pool.Release(key)
		m.limiter.release(req.User, req.Addr)
	}
	m.mu.Lock()
	m.mu.sessions[string(s.Handle.SessionId.GUID)] = s
	m.mu.Unlock()
	return s, resp, nil
}

// dialer connects to eng as user; a failure says what became of eng.
func (m *Manager) dialer(eng *engine.Engine, user string) func(context.Context) (EngineConn, error) {
	return func(ctx context.Context) (EngineConn, error) {
		c, err := m.cfg.Dialer.Dial(ctx, eng.Addr, user, eng.Secret)
		if err != nil {
			return nil, engineError(eng, err)
		}
		return c, nil
	}
}

// engineError explains a failure to reach an engine.
func engineError(eng *engine.Engine, err error) error {
	var se *status.Error
	if errors.As(err, &se) {
		return err
	}
	if !eng.Alive() {
		return &status.Error{SQLState: status.StateConnection, Code: status.CodeEngineStopped, Err: err, Message: fmt.Sprintf(
			"the engine serving this session (%s, engine %s) stopped; open a new session and kitsune launches a new engine; engine log: %s",
			eng.Key, eng.ID, eng.LogPath)}
	}
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeEngineLost, Err: err, Message: fmt.Sprintf(
		"lost the connection to the engine serving this session (%s, engine %s at %s): %v", eng.Key, eng.ID, eng.Addr, err)}
}

// EngineFailed records that the engine of s stopped answering, so that the
// next session does not get it again.
func (m *Manager) EngineFailed(s *Session) { m.pool.Invalidate(s.Engine) }

// Get returns the session of h when it belongs to user ("" skips the check).
func (m *Manager) Get(ctx context.Context, h *tcli.TSessionHandle, user string) (*Session, error) {
	if h == nil || h.SessionId == nil {
		return nil, ErrNoSession
	}
	m.mu.Lock()
	s, ok := m.mu.sessions[string(h.SessionId.GUID)]
	refusal := m.mu.refused[string(h.SessionId.GUID)]
	m.mu.Unlock()
	if refusal != nil {
		return nil, fmt.Errorf("this session was refused when it was opened: %w", refusal)
	}
	if !ok {
		var err error
		if s, err = m.adopt(ctx, hex.EncodeToString(h.SessionId.GUID)); err != nil {
			return nil, err
		}
		if s == nil {
			return nil, ErrNoSession
		}
	}
	if user != "" && s.Owner != user {
		return nil, ErrNoSession
	}
	return s, nil
}

// ForOperation returns the session owning operation h.
func (m *Manager) ForOperation(ctx context.Context, h *tcli.TOperationHandle, user string) (*Session, error) {
	if h == nil || h.OperationId == nil {
		return nil, ErrNoOperation
	}
	m.mu.Lock()
	s, ok := m.mu.ops[string(h.OperationId.GUID)]
	m.mu.Unlock()
	if !ok && m.cfg.Store != nil && m.cfg.Shared {
		op, err := m.cfg.Store.GetOperation(ctx, hex.EncodeToString(h.OperationId.GUID))
		switch {
		case err == nil:
			if s, err = m.adopt(ctx, op.SessionID); err != nil {
				return nil, err
			}
			if s != nil {
				m.AddOperation(ctx, s, h)
				ok = true
			}
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case !errors.Is(err, store.ErrNotFound):
			return nil, storeUnavailable(err)
		}
	}
	if !ok || (user != "" && s.Owner != user) {
		return nil, ErrNoOperation
	}
	return s, nil
}

// SetGateway names this gateway in the metadata store; call it once,
// before serving.
func (m *Manager) SetGateway(name string) { m.cfg.Gateway = name }

// adopt takes over a session another gateway opened, from the store: nil
// when the store does not know it; an error (not "invalid handle") when
// the store cannot be asked, since only adoption depends on it.
func (m *Manager) adopt(ctx context.Context, id string) (*Session, error) {
	if m.cfg.Store == nil || !m.cfg.Shared {
		return nil, nil
	}
	rec, err := m.cfg.Store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the caller gave up; the store may be fine
		}
		return nil, storeUnavailable(err)
	}
	guid, err := hex.DecodeString(rec.ID)
	if err != nil {
		return nil, nil
	}
	m.mu.Lock()
	if s, ok := m.mu.sessions[string(guid)]; ok {
		m.mu.Unlock()
		return s, nil
	}
	m.mu.Unlock()
	key, err := tenancy.ParseKey(rec.EngineKey)
	if err != nil {
		// The key only names the engine in messages: adopt all the same.
		m.lg.Warn("a session's engine key in the metadata store does not parse", zap.String("session", id), zap.Error(err))
	}
	eng := engine.Remote(rec.EngineID, rec.EngineAddr, m.cfg.Secret, key)
	dial := m.dialer(eng, rec.User)
	c, err := dial(ctx)
	if err != nil {
		m.lg.Warn("could not adopt a session: its engine does not answer", zap.String("session", id), zap.Error(err))
		return nil, nil
	}
	h := &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: guid, Secret: make([]byte, 16)}}
	s := newSession(h, rec.User, 0, eng, c, dial)
	s.Owner, s.Protocol = rec.Owner, tcli.TProtocolVersion(rec.Protocol)
	s.release = func() {}
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.mu.sessions[string(guid)]; ok {
		c.Close()
		return prev, nil
	}
	m.mu.sessions[string(guid)] = s
	m.lg.Info("adopted a session opened on another gateway", zap.String("user", s.User), zap.String("gateway", rec.Gateway))
	return s, nil
}

// storeUnavailable explains a failed adoption: the session may well exist,
// the store that says where could not be asked.
func storeUnavailable(err error) error {
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeStoreUnavailable, Err: err,
		Message: "metadata store unavailable (kitsune.metadata.store.url): this gateway cannot take over a session opened on another one until it is back: " + err.Error()}
}

// AddOperation records that operation h belongs to s.
func (m *Manager) AddOperation(ctx context.Context, s *Session, h *tcli.TOperationHandle) {
	if h == nil || h.OperationId == nil {
		return
	}
	k := string(h.OperationId.GUID)
	m.mu.Lock()
	_, known := m.mu.ops[k]
	m.mu.ops[k] = s
	if !known {
		m.mu.userOps[s.User]++
	}
	m.mu.Unlock()
	s.mu.Lock()
	s.mu.ops[k] = struct{}{}
	s.mu.Unlock()
	if m.adoptable(s) && !known {
		op := store.Operation{ID: hex.EncodeToString(h.OperationId.GUID), SessionID: hex.EncodeToString(s.Handle.SessionId.GUID), Created: time.Now()}
		if err := m.cfg.Store.PutOperation(ctx, op); err != nil {
			m.lg.Warn("could not record the operation in the metadata store", zap.Error(err))
		}
	}
}

// RemoveOperation forgets operation h.
func (m *Manager) RemoveOperation(ctx context.Context, s *Session, h *tcli.TOperationHandle) {
	k := string(h.OperationId.GUID)
	m.mu.Lock()
	if _, ok := m.mu.ops[k]; ok {
		m.forgetUserOps(s.User, 1)
	}
	delete(m.mu.ops, k)
	m.mu.Unlock()
	s.mu.Lock()
	delete(s.mu.ops, k)
	s.mu.Unlock()
	if m.adoptable(s) {
		_ = m.cfg.Store.DeleteOperation(ctx, hex.EncodeToString(h.OperationId.GUID))
	}
}

// adoptable reports whether another gateway may adopt s (an HTTP session
// with a shared store): only then are its operations recorded, so the
// statement path writes nothing to disk otherwise.
func (m *Manager) adoptable(s *Session) bool {
	return m.cfg.Store != nil && m.cfg.Shared && s.ConnID == 0
}

// Close closes s on its engine and forgets it.
func (m *Manager) Close(ctx context.Context, s *Session) error {
	m.mu.Lock()
	if _, ok := m.mu.sessions[string(s.Handle.SessionId.GUID)]; !ok {
		m.mu.Unlock()
		return ErrNoSession
	}
	delete(m.mu.sessions, string(s.Handle.SessionId.GUID))
	s.mu.Lock()
	for k := range s.mu.ops {
		if _, ok := m.mu.ops[k]; ok {
			m.forgetUserOps(s.User, 1)
		}
		delete(m.mu.ops, k)
	}
	s.mu.closed = true
	s.mu.Unlock()
	m.mu.Unlock()
	var err error
	if s.Engine.Alive() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = s.Call(cctx, func(c EngineConn) error {
			_, err := c.CloseSession(cctx, &tcli.TCloseSessionReq{SessionHandle: s.Handle})
			return err
		})
		cancel()
	}
	s.closeConns()
	s.release()
	if m.cfg.Store != nil {
		_ = m.cfg.Store.DeleteSession(context.WithoutCancel(ctx), hex.EncodeToString(s.Handle.SessionId.GUID))
	}
	return err
}

// ConnectionClosed closes the sessions opened on a binary connection.
func (m *Manager) ConnectionClosed(connID uint64) {
	for _, s := range m.sessionsWhere(func(s *Session) bool { return connID != 0 && s.ConnID == connID }) {
		_ = m.Close(context.Background(), s)
	}
}

func (m *Manager) sessionsWhere(pred func(*Session) bool) []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Session
	for _, s := range m.mu.sessions {
		if pred(s) {
			out = append(out, s)
		}
	}
	return out
}

// Count is the number of open sessions.
func (m *Manager) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.mu.sessions)
}

// Run closes idle sessions until ctx is done, then closes every session.
func (m *Manager) Run(ctx context.Context) error {
	interval := m.cfg.CheckInterval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.CloseAll()
			return nil
		case <-t.C:
			idle := m.sessionsWhere(func(s *Session) bool {
				return m.cfg.IdleTimeout > 0 && time.Since(s.LastAccess()) > m.cfg.IdleTimeout
			})
			for _, s := range idle {
				m.lg.Info("closing idle session", zap.String("user", s.User))
				_ = m.Close(ctx, s)
			}
			if m.cfg.Store != nil {
				m.forgetStoppedEngines(ctx)
			}
		}
	}
}

// CloseAll closes every session; with a shared store, HTTP sessions are
// left to the other gateways (only this gateway's connections to their
// engines close).
func (m *Manager) CloseAll() {
	for _, s := range m.sessionsWhere(func(*Session) bool { return true }) {
		if m.cfg.Shared && s.ConnID == 0 {
			s.closeConns()
			continue
		}
		_ = m.Close(context.Background(), s)
	}
}

// forgetUserOps lowers user's open operations by n; m.mu is held.
func (m *Manager) forgetUserOps(user string, n int) {
	if m.mu.userOps[user] -= n; m.mu.userOps[user] <= 0 {
		delete(m.mu.userOps, user)
	}
}

// AllowOperation refuses a new operation on s beyond the open-operation
// limits, naming the key.
func (m *Manager) AllowOperation(s *Session) error {
	lim := m.cfg.Limits
	if lim.OpsPerSession > 0 {
		s.mu.Lock()
		n := len(s.mu.ops)
		s.mu.Unlock()
		if n >= lim.OpsPerSession {
			return refused(status.CodeLimitOpsSession, "too many operations: this session has %d open, the limit is %d (kitsune.server.limit.operations.per.session): close finished operations", n, lim.OpsPerSession)
		}
	}
	if lim.OpsPerUser > 0 {
		m.mu.Lock()
		n := m.mu.userOps[s.User]
		m.mu.Unlock()
		if n >= lim.OpsPerUser {
			return refused(status.CodeLimitOpsUser, "too many operations: user %s has %d open, the limit is %d (kitsune.server.limit.operations.per.user)", s.User, n, lim.OpsPerUser)
		}
	}
	return nil
}
