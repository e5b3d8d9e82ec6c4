package session

import (
	"context"
	"sync"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// maxIdle bounds the idle connections a pool keeps.
const maxIdle = 8

// poolKey names the connections one user's sessions share on one engine:
// the engine sees the session user as the connection's SASL user, as
// Spark's and Kyuubi's engines take it, so pools are per user too.
type poolKey struct{ engine, user string }

// connPool is the engine connections that one user's sessions on one
// engine share: HS2 sessions are not tied to a connection for their calls,
// so a session needs no connection of its own. The anchor only opens
// sessions, so it never fails in the middle of a call: the engine closes
// the sessions of a connection that drops (as HiveServer2 does), and the
// anchor dropping means this gateway is gone. Calls take an idle
// connection or dial one; one whose call failed is dropped, taking nothing
// with it.
type connPool struct {
	key  poolKey
	dial func(ctx context.Context) (EngineConn, error)
	idle chan EngineConn
	refs int // sessions using the pool; guarded by the manager's pools lock

	anchor struct {
		sync.Mutex
		c EngineConn
	}
}

// pools are the manager's connection pools.
type pools struct {
	mu sync.Mutex
	m  map[poolKey]*connPool
}

// acquire returns the pool of key, made with dial when there is none,
// counting one more session on it.
func (ps *pools) acquire(key poolKey, dial func(context.Context) (EngineConn, error)) *connPool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.m == nil {
		ps.m = map[poolKey]*connPool{}
	}
	p, ok := ps.m[key]
	if !ok {
		p = &connPool{key: key, dial: dial, idle: make(chan EngineConn, maxIdle)}
		ps.m[key] = p
	}
	p.refs++
	return p
}

// release ends one session's use of p; the last one closes its
// connections.
func (ps *pools) release(p *connPool) {
	ps.mu.Lock()
	p.refs--
	last := p.refs <= 0
	if last && ps.m[p.key] == p {
		delete(ps.m, p.key)
	}
	ps.mu.Unlock()
	if last {
		p.close()
	}
}

// openSession opens a session on the anchor, dialing it first if needed.
// A transport failure drops the anchor (the sessions opened on it are
// gone with it on the engine) so that the next session dials afresh.
func (p *connPool) openSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	p.anchor.Lock()
	defer p.anchor.Unlock()
	if p.anchor.c == nil {
		c, err := p.dial(ctx)
		if err != nil {
			return nil, err
		}
		p.anchor.c = c
	}
	resp, err := p.anchor.c.OpenSession(ctx, req)
	if err != nil {
		p.anchor.c.Close()
		p.anchor.c = nil
	}
	return resp, err
}

// call runs fn on an idle connection, or on a new one.
func (p *connPool) call(ctx context.Context, fn func(EngineConn) error) error {
	var c EngineConn
	select {
	case c = <-p.idle:
	default:
		var err error
		if c, err = p.dial(ctx); err != nil {
			return err
		}
	}
	if err := fn(c); err != nil {
		c.Close()
		return err
	}
	select {
	case p.idle <- c:
	default:
		c.Close()
	}
	return nil
}

// close closes the anchor and the idle connections.
func (p *connPool) close() {
	p.anchor.Lock()
	if p.anchor.c != nil {
		p.anchor.c.Close()
		p.anchor.c = nil
	}
	p.anchor.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close()
		default:
			return
		}
	}
}
