// Package sessiontest has the session manager's in-memory twins for unit
// tests: an engine pool that hands out named remote engines and a dialer
// that connects to in-process engines (thrift/inproc), so a Manager (or a
// gateway over one) runs with no process and no port.
package sessiontest

import (
	"context"
	"errors"
	"sync"

	"github.com/kitsune-sql/kitsune/session"

	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/tenancy"
	"github.com/kitsune-sql/kitsune/thrift/inproc"
)

// Pool hands out remote engines named <user>-a, <user>-b, … (at address
// addr-<id>, secret "secret"): the letter moves on when an engine is
// invalidated.
type Pool struct {
	mu          sync.Mutex
	gen         map[string]int
	Acquired    int
	Released    int
	Invalidated []string
	// Fail, when set, is every Acquire's error.
	Fail error
}

var _ session.EnginePool = (*Pool)(nil)

// NewPool returns a Pool.
func NewPool() *Pool { return &Pool{gen: map[string]int{}} }

// Acquire implements session.EnginePool.
func (p *Pool) Acquire(_ context.Context, key tenancy.Key, _ tenancy.Spec) (*engine.Engine, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		return nil, p.Fail
	}
	p.Acquired++
	id := key.User + "-" + string(rune('a'+p.gen[key.User]))
	return engine.Remote(id, "addr-"+id, "secret", key), nil
}

// Release implements session.EnginePool.
func (p *Pool) Release(tenancy.Key, *engine.Engine) {
	p.mu.Lock()
	p.Released++
	p.mu.Unlock()
}

// Invalidate implements session.EnginePool.
func (p *Pool) Invalidate(e *engine.Engine) {
	p.mu.Lock()
	p.Invalidated = append(p.Invalidated, e.ID)
	p.gen[e.Key.User]++
	p.mu.Unlock()
}

// Dialer connects to in-process engines, one per address, made on first
// use; an address set down refuses connections, as does a wrong secret.
type Dialer struct {
	mu      sync.Mutex
	engines map[string]*inproc.Engine
	down    map[string]bool
	dials   int
}

// Dials is how many connections were dialed.
func (d *Dialer) Dials() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials
}

var _ session.Dialer = (*Dialer)(nil)

// NewDialer returns a Dialer.
func NewDialer() *Dialer {
	return &Dialer{engines: map[string]*inproc.Engine{}, down: map[string]bool{}}
}

// SetDown makes addr refuse connections (or accept them again).
func (d *Dialer) SetDown(addr string, down bool) {
	d.mu.Lock()
	d.down[addr] = down
	d.mu.Unlock()
}

// Dial implements session.Dialer.
func (d *Dialer) Dial(_ context.Context, addr, _, secret string) (session.EngineConn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dials++
	if d.down[addr] || secret != "secret" {
		return nil, errors.New("connection refused")
	}
	e, ok := d.engines[addr]
	if !ok {
		e = inproc.NewEngine()
		d.engines[addr] = e
	}
	return inproc.Dial(e), nil
}

// Engine is the engine at addr (nil before the first dial).
func (d *Dialer) Engine(addr string) *inproc.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.engines[addr]
}
