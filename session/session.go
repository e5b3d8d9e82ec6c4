package session

import (
	"context"
	"sync"
	"time"

	"github.com/kitsune-sql/kitsune/engine"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// maxConns bounds the engine connections of one session: a call in flight
// (a synchronous statement) must not block a cancel or a status poll.
const maxConns = 4

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

	dial    func(ctx context.Context) (EngineConn, error)
	conns   chan EngineConn
	slots   chan struct{}
	release func()

	mu struct {
		sync.Mutex
		lastAccess time.Time
		ops        map[string]struct{}
		closed     bool
	}
}

func newSession(h *tcli.TSessionHandle, user string, connID uint64, eng *engine.Engine, first EngineConn, dial func(context.Context) (EngineConn, error)) *Session {
	s := &Session{Handle: h, User: user, ConnID: connID, Engine: eng, dial: dial,
		conns: make(chan EngineConn, maxConns), slots: make(chan struct{}, maxConns)}
	s.slots <- struct{}{}
	s.conns <- first
	s.mu.ops = map[string]struct{}{}
	s.mu.lastAccess = time.Now()
	return s
}

// Call runs fn on one of the session's engine connections. A connection
// whose call failed at the transport level is dropped.
func (s *Session) Call(ctx context.Context, fn func(c EngineConn) error) error {
	s.touch()
	var c EngineConn
	select {
	case c = <-s.conns:
	default:
		select {
		case c = <-s.conns:
		case s.slots <- struct{}{}:
			var err error
			if c, err = s.dial(ctx); err != nil {
				<-s.slots
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := fn(c)
	if err != nil {
		c.Close()
		<-s.slots
		return err
	}
	s.conns <- c
	return nil
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

// closeConns closes every idle engine connection.
func (s *Session) closeConns() {
	for {
		select {
		case c := <-s.conns:
			c.Close()
		default:
			return
		}
	}
}
