package session

import (
	"context"
	"sync"
	"time"

	"github.com/kitsune-sql/kitsune/engine"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Session is one client session and the engine session behind it. The
// handle the client holds is the engine's own (random, unguessable), so
// calls need no translation.
type Session struct {
	Handle *tcli.TSessionHandle
	// User is who the session runs as; Owner is who authenticated (they
	// differ under impersonation). Only the owner may use the handle.
	User     string
	Owner    string
	ConnID   uint64
	Engine   *engine.Engine
	Protocol tcli.TProtocolVersion
	// Addr is the client's address; Created is when the session opened.
	Addr    string
	Created time.Time

	// conns are the engine connections this session shares with the
	// user's other sessions on its engine.
	conns   *connPool
	release func()

	mu struct {
		sync.Mutex
		lastAccess time.Time
		ops        map[string]Operation
		opened     int // operations opened in all
		closed     bool
	}
}

func newSession(h *tcli.TSessionHandle, user string, connID uint64, eng *engine.Engine, conns *connPool) *Session {
	s := &Session{Handle: h, User: user, ConnID: connID, Engine: eng, conns: conns}
	s.mu.ops = map[string]Operation{}
	s.mu.lastAccess = time.Now()
	return s
}

// Call runs fn on one of the engine connections of the session's pool; a
// connection whose call failed at the transport level is dropped. A call
// in flight (a synchronous statement) never blocks another call of the
// session: a cancel or a status poll takes another connection.
func (s *Session) Call(ctx context.Context, fn func(c EngineConn) error) error {
	s.touch()
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.conns.call(ctx, fn)
}

func (s *Session) touch() {
	s.mu.Lock()
	s.mu.lastAccess = time.Now()
	s.mu.Unlock()
}

// LastAccess is when the session was last used.
func (s *Session) LastAccess() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.lastAccess
}

// Operation is an open operation of a session as the gateway knows it.
type Operation struct {
	Handle *tcli.TOperationHandle
	// Type is the call that opened it (ExecuteStatement, GetTables, ...);
	// Statement is the SQL of ExecuteStatement, or the call's name.
	Type, Statement string
	Created         time.Time
	// State is the last state the engine told of it (RUNNING_STATE, ...);
	// SQLState and Error its error's, in ERROR_STATE.
	State, SQLState, Error string
	// Rows is how many result rows clients fetched.
	Rows int64
}

// Operations returns the session's open operations.
func (s *Session) Operations() []Operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Operation, 0, len(s.mu.ops))
	for _, o := range s.mu.ops {
		out = append(out, o)
	}
	return out
}

// Operation returns the open operation with key k (serve.Key of its id).
func (s *Session) Operation(k string) (Operation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.mu.ops[k]
	return o, ok
}

// OperationsOpened is how many operations the session has opened.
func (s *Session) OperationsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.opened
}
