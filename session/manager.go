package session

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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
	Release(key tenancy.Key, eng *engine.Engine)
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
	// Observer hears of sessions and operations (events, metrics, audit;
	// nil: nobody).
	Observer Observer
}

// Observer is told of the life of sessions and operations.
type Observer interface {
	SessionOpened(s *Session)
	SessionClosed(s *Session)
	OperationOpened(s *Session, o Operation)
	OperationChanged(s *Session, o Operation)
	OperationClosed(s *Session, o Operation)
}

type nopObserver struct{}

func (nopObserver) SessionOpened(*Session)               {}
func (nopObserver) SessionClosed(*Session)               {}
func (nopObserver) OperationOpened(*Session, Operation)  {}
func (nopObserver) OperationChanged(*Session, Operation) {}
func (nopObserver) OperationClosed(*Session, Operation)  {}

// Manager keeps the gateway's sessions and routes handles to them.
type Manager struct {
	cfg     Config
	pool    EnginePool
	lg      *zap.Logger
	limiter *limiter
	conns   pools
	batch   *opBatch

	// sessions are by session GUID, ops give the session of an operation.
	sessions serve.Handles[*Session]
	ops      serve.Handles[*Session]

	mu struct {
		sync.Mutex
		// refused remembers why recent OpenSession calls were refused, by
		// the handle handed out with the refusal, for clients (gohive) that
		// ignore OpenSession's status and call on.
		refused      map[string]error
		refusedOrder []string
		// userOps counts each user's open operations.
		userOps map[string]int
	}
}

// NewManager returns a Manager over pool.
func NewManager(cfg Config, pool EnginePool, lg *zap.Logger) *Manager {
	if cfg.Dialer == nil {
		cfg.Dialer = ClientDialer{}
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	m := &Manager{cfg: cfg, pool: pool, lg: lg, limiter: newLimiter(cfg.Limits), batch: newOpBatch()}
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
	// Groups, when set, are the user's groups, which the engine
	// authorizes with (kitsune.authorization.enabled).
	Groups []string
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
	// The session's groups are the gateway's to say (engines authorize
	// with them): whatever a client sent under that key is replaced.
	confs := make(map[string]string, len(req.Spec.Confs)+2)
	for k, v := range req.Spec.Confs {
		confs[k] = v
	}
	delete(confs, conf.KeySessionGroups)
	if req.Groups != nil {
		confs[conf.KeySessionGroups] = strings.Join(req.Groups, ",")
	}
	if m.cfg.Shared && req.ConnID == 0 {
		confs[conf.KeySessionDetached] = "true"
	}
	ereq := &tcli.TOpenSessionReq{Username: &req.User, Configuration: confs, InitialNamespace: req.Namespace}
	serve.ForwardProtocol(ereq, req.Protocol)
	eng, conns, resp, err := m.openOnEngine(ctx, req, ereq)
	if err != nil {
		return nil, nil, err
	}
	s := newSession(resp.SessionHandle, req.User, req.ConnID, eng, conns)
	s.Protocol = resp.ServerProtocolVersion
	s.Owner, s.Addr, s.Created = req.Owner, req.Addr, time.Now()
	if s.Owner == "" {
		s.Owner = req.User
	}
	if m.shared() {
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
		m.conns.release(conns)
		m.pool.Release(key, eng)
		m.limiter.release(req.User, req.Addr)
	}
	m.sessions.Put(serve.Key(s.Handle.SessionId), s)
	m.cfg.Observer.SessionOpened(s)
	return s, resp, nil
}

// shared reports whether the metadata store is shared with other
// gateways: only then are sessions, engines and operations recorded, since
// only another gateway reads them; with the embedded store nothing on the
// session path writes to disk.
func (m *Manager) shared() bool { return m.cfg.Store != nil && m.cfg.Shared }

// openOnEngine acquires the engine of req.Key and opens the engine session
// on its connection pool. A cached engine that stopped answering is
// invalidated and the session tried once more on a fresh one.
func (m *Manager) openOnEngine(ctx context.Context, req OpenRequest, ereq *tcli.TOpenSessionReq) (*engine.Engine, *connPool, *tcli.TOpenSessionResp, error) {
	for attempt := 0; ; attempt++ {
		eng, err := m.pool.Acquire(ctx, req.Key, req.Spec)
		if err != nil {
			return nil, nil, nil, &status.Error{SQLState: status.StateConnection, Code: status.CodeNoEngine, Message: "no engine for " + req.User + ": " + err.Error(), Err: err}
		}
		conns := m.conns.acquire(poolKey{engine: eng.ID, user: req.User}, m.dialer(eng, req.User))
		resp, err := conns.openSession(ctx, ereq)
		if err == nil && !status.Succeeded(resp.Status) {
			m.conns.release(conns)
			m.pool.Release(req.Key, eng)
			return nil, nil, nil, engineError(eng, status.AsError(resp.Status))
		}
		if err == nil {
			return eng, conns, resp, nil
		}
		m.conns.release(conns)
		m.pool.Release(req.Key, eng)
		if attempt > 0 {
			return nil, nil, nil, engineError(eng, err)
		}
		m.pool.Invalidate(eng)
		m.lg.Warn("engine does not answer, trying another", zap.String("key", req.Key.String()), zap.String("engine", eng.ID), zap.Error(err))
	}
}

// dialer connects to eng as user. A failure is a plain error, as a failed
// call's is: whoever sees it decides what became of the engine.
func (m *Manager) dialer(eng *engine.Engine, user string) func(context.Context) (EngineConn, error) {
	return func(ctx context.Context) (EngineConn, error) {
		c, err := m.cfg.Dialer.Dial(ctx, eng.Addr, user, eng.Secret)
		if err != nil {
			return nil, fmt.Errorf("connect to engine %s at %s: %w", eng.ID, eng.Addr, err)
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
		return EngineStopped(eng, err)
	}
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeEngineLost, Err: err, Message: fmt.Sprintf(
		"lost the connection to the engine serving this session (%s, engine %s at %s): %v", eng.Key, eng.ID, eng.Addr, err)}
}

// EngineStopped is the error of a call whose engine process stopped: the
// client opens a new session and gets a new engine.
func EngineStopped(eng *engine.Engine, err error) error {
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeEngineStopped, Err: err, Message: fmt.Sprintf(
		"the engine serving this session (%s, engine %s) stopped; open a new session and kitsune launches a new engine; engine log: %s",
		eng.Key, eng.ID, eng.LogPath)}
}

// EngineFailed records that the engine of s stopped answering, so that the
// next session does not get it again.
func (m *Manager) EngineFailed(s *Session) { m.pool.Invalidate(s.Engine) }

// Get returns the session of h when it belongs to user ("" skips the check).
func (m *Manager) Get(ctx context.Context, h *tcli.TSessionHandle, user string) (*Session, error) {
	if h == nil || h.SessionId == nil {
		return nil, ErrNoSession
	}
	s, ok := m.sessions.Get(serve.Key(h.SessionId))
	m.mu.Lock()
	refusal := m.mu.refused[serve.Key(h.SessionId)]
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

// SetGateway names this gateway in the metadata store; call it once,
// before serving.
func (m *Manager) SetGateway(name string) { m.cfg.Gateway = name }

// Close closes s on its engine and forgets it.
func (m *Manager) Close(ctx context.Context, s *Session) error {
	if _, ok := m.sessions.Delete(serve.Key(s.Handle.SessionId)); !ok {
		return ErrNoSession
	}
	s.mu.Lock()
	s.mu.closed = true
	ops := make([]Operation, 0, len(s.mu.ops))
	for _, o := range s.mu.ops {
		ops = append(ops, o)
	}
	s.mu.Unlock()
	for _, o := range ops {
		m.forgetOperation(s, serve.Key(o.Handle.OperationId))
		m.cfg.Observer.OperationClosed(s, o)
	}
	defer m.cfg.Observer.SessionClosed(s)
	var err error
	if s.Engine.Alive() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = s.Call(cctx, func(c EngineConn) error {
			_, err := c.CloseSession(cctx, &tcli.TCloseSessionReq{SessionHandle: s.Handle})
			return err
		})
		cancel()
	}
	s.release()
	if m.shared() {
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

func (m *Manager) sessionsWhere(pred func(*Session) bool) []*Session { return m.sessions.Where(pred) }

// Sessions returns the open sessions of this gateway.
func (m *Manager) Sessions() []*Session { return m.sessionsWhere(func(*Session) bool { return true }) }

// SetLists replaces the unlimited users and the deny lists (an admin's
// refresh); counts of open sessions are kept.
func (m *Manager) SetLists(unlimited, denyUsers, denyIPs []string) {
	m.limiter.setLists(unlimited, denyUsers, denyIPs)
}

// Admit counts work that is not a session (a batch job) against the
// connection limits of user and addr; release gives the slot back.
func (m *Manager) Admit(user, addr string) (release func(), err error) {
	if err := m.limiter.acquire(user, addr); err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { m.limiter.release(user, addr) }) }, nil
}

// Count is the number of open sessions.
func (m *Manager) Count() int { return m.sessions.Len() }

// Run closes idle sessions and, with a shared store, writes operation
// records in batches until ctx is done, then closes every session.
func (m *Manager) Run(ctx context.Context) error {
	if m.shared() {
		written := make(chan struct{})
		wctx, stop := context.WithCancel(ctx)
		go func() { defer close(written); m.writeOperations(wctx) }()
		defer func() { stop(); <-written }()
	}
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
			if m.shared() {
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
			if _, ok := m.sessions.Delete(serve.Key(s.Handle.SessionId)); ok {
				s.release() // only this gateway's connections to its engine close
			}
			continue
		}
		_ = m.Close(context.Background(), s)
	}
}
