package engine

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// PoolConfig configures a Pool.
type PoolConfig struct {
	// IdleTimeout stops an engine that has had no session for this long.
	IdleTimeout time.Duration
	// CheckInterval is how often idle engines are looked for.
	CheckInterval time.Duration
	// MaxLaunches bounds the engines starting at once (0: no bound).
	MaxLaunches int
	// Queues, when set, account engines' cores and memory per queue.
	Queues *Queues
	// Registry, when set (high availability), is searched for a live
	// engine of the key before launching one, under the key's creation
	// lock; engines are then shared by every gateway and stop themselves
	// when idle, so the pool neither stops idle engines nor stops engines
	// on Close.
	Registry *discovery.Registry
	Spaces   tenancy.Spaces
	Secret   string
	// Observer is told of launches (nil: nobody).
	Observer LaunchObserver
	// RetiredWait is how long a launch waits for a retired engine of its
	// key to stop when the launcher's engines cannot run side by side (a
	// local engine's database file is held by one process).
	RetiredWait time.Duration
}

// exclusiveLauncher is a launcher whose engines of one key cannot run
// side by side.
type exclusiveLauncher interface{ ExclusivePerKey() bool }

// Pool caches one engine per key.
type Pool struct {
	cfg      PoolConfig
	launcher Launcher
	lg       *zap.Logger
	launches chan struct{}
	closing  chan struct{}
	// base is the context of every launch: a launch belongs to the pool,
	// not to the session that happened to ask first; Close ends it.
	base context.Context
	stop context.CancelFunc

	mu struct {
		sync.Mutex
		entries map[tenancy.Key]*entry
		// retired are engines an admin deregistered (DELETE
		// /api/v1/admin/engine): no new session gets them; they stop
		// when their last session ends.
		retired map[*Engine]*entry
		closed  bool
	}
	wg      sync.WaitGroup
	waiting atomic.Int64 // launches waiting for a permit
}

type entry struct {
	ready    chan struct{} // closed once the launch ended
	eng      *Engine
	err      error
	unqueue  func()             // gives back the queue reservation
	abandon  context.CancelFunc // ends the launch (CONNECTION: its only session gave up)
	sessions int
	idle     time.Time
}

// NewPool returns a Pool launching with l.
func NewPool(cfg PoolConfig, l Launcher, lg *zap.Logger) *Pool {
	if cfg.Observer == nil {
		cfg.Observer = nopLaunchObserver{}
	}
	p := &Pool{cfg: cfg, launcher: l, lg: lg, closing: make(chan struct{})}
	p.base, p.stop = context.WithCancel(context.Background())
	if cfg.MaxLaunches > 0 {
		p.launches = make(chan struct{}, cfg.MaxLaunches)
	}
	p.mu.entries = map[tenancy.Key]*entry{}
	p.mu.retired = map[*Engine]*entry{}
	return p
}

// ErrPoolClosed is returned once the pool is closing.
var ErrPoolClosed = fmt.Errorf("engine pool is shutting down")

// Acquire returns the live engine for key, launching it when there is none.
// Concurrent callers for one key share a single launch. The caller calls
// Release when its session ends.
func (p *Pool) Acquire(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error) {
	for {
		p.mu.Lock()
		if p.mu.closed {
			p.mu.Unlock()
			return nil, ErrPoolClosed
		}
		e, ok := p.mu.entries[key]
		if ok && e.eng != nil && !e.eng.Alive() {
			delete(p.mu.entries, key)
			ok = false
		}
		if !ok {
			lctx, abandon := context.WithCancel(p.base)
			e = &entry{ready: make(chan struct{}), abandon: abandon}
			p.mu.entries[key] = e
			e.sessions++
			p.wg.Add(1)
			p.mu.Unlock()
			go func() {
				defer p.wg.Done()
				defer abandon()
				p.launch(lctx, key, spec, e)
			}()
		} else {
			e.sessions++
			p.mu.Unlock()
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			p.Release(key, nil)
			return nil, ctx.Err()
		}
		if e.err != nil {
			p.Release(key, nil)
			return nil, e.err
		}
		if !e.eng.Alive() {
			p.Release(key, nil)
			continue
		}
		return e.eng, nil
	}
}

// launch finds or starts the engine of e within ctx, which outlives the
// first caller's context: other sessions of the key wait for it too, and a
// retrying JDBC client whose login timed out finds it starting.
func (p *Pool) launch(ctx context.Context, key tenancy.Key, spec tenancy.Spec, e *entry) {
	profile := spec.Profile
	var eng *Engine
	var err error
	if p.cfg.Registry != nil {
		var unlock func() error
		eng, unlock, err = p.findShared(ctx, key)
		if unlock != nil {
			defer func() { _ = unlock() }()
		}
		if eng != nil || err != nil {
			p.mu.Lock()
			e.eng, e.err = eng, err
			if err != nil && p.mu.entries[key] == e {
				delete(p.mu.entries, key)
			} else if eng != nil {
				p.wg.Add(1)
				go p.watch(key, e)
			}
			p.mu.Unlock()
			close(e.ready)
			return
		}
	}
	if p.cfg.Queues != nil {
		e.unqueue, err = p.cfg.Queues.Reserve(ctx, key, profile)
	}
	if err == nil {
		err = p.waitRetired(ctx, key)
	}
	if err == nil {
		eng, err = p.launchLimited(ctx, key, spec)
		if err != nil && e.unqueue != nil {
			e.unqueue()
		}
	}
	p.mu.Lock()
	e.eng, e.err = eng, err
	if err != nil {
		if p.mu.entries[key] == e {
			delete(p.mu.entries, key)
		}
	} else {
		p.wg.Add(1)
		go p.watch(key, e)
	}
	p.mu.Unlock()
	close(e.ready)
}

// launchLimited launches within kitsune.engine.max.concurrent.launches.
func (p *Pool) launchLimited(ctx context.Context, key tenancy.Key, spec tenancy.Spec) (*Engine, error) {
	if p.launches != nil {
		p.waiting.Add(1)
		select {
		case p.launches <- struct{}{}:
			p.waiting.Add(-1)
			defer func() { <-p.launches }()
		case <-ctx.Done():
			p.waiting.Add(-1)
			p.cfg.Observer.Launched(key.Type, 0, "abandoned")
			return nil, fmt.Errorf("engine launch for %s abandoned while waiting for a launch slot: %w", key, ctx.Err())
		}
	}
	start := time.Now()
	eng, err := p.launcher.Launch(ctx, key, spec)
	if err != nil {
		p.cfg.Observer.Launched(key.Type, time.Since(start), launchFailure(ctx, err))
	} else {
		p.cfg.Observer.Launched(key.Type, time.Since(start), "")
	}
	return eng, err
}

// watch forgets an engine whose process ended.
func (p *Pool) watch(key tenancy.Key, e *entry) {
	defer p.wg.Done()
	select {
	case <-e.eng.Exited():
	case <-p.closing:
		return
	}
	if e.unqueue != nil {
		e.unqueue()
	}
	p.mu.Lock()
	if p.mu.entries[key] == e {
		delete(p.mu.entries, key)
	}
	p.mu.Unlock()
	p.lg.Info("engine exited", zap.String("key", key.String()), zap.String("engine", e.eng.ID))
}

// Release ends one session's use of key's engine eng (nil: whichever
// the key has). A CONNECTION engine stops with its session, a retired one
// with its last.
func (p *Pool) Release(key tenancy.Key, eng *Engine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.mu.retired[eng]; ok && eng != nil {
		if r.sessions--; r.sessions <= 0 {
			delete(p.mu.retired, eng)
			p.stopLater(eng)
		}
		return
	}
	e, ok := p.mu.entries[key]
	if !ok {
		return
	}
	e.sessions--
	if e.sessions > 0 {
		return
	}
	e.sessions = 0
	e.idle = time.Now()
	if key.ShareLevel == "CONNECTION" && e.eng == nil && e.err == nil {
		e.abandon() // its only session gave up while it was launching
		return
	}
	if key.ShareLevel == "CONNECTION" && e.eng != nil {
		delete(p.mu.entries, key)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			e.eng.Stop(context.Background(), 10*time.Second)
		}()
	}
}

// Retire stops giving engine id to new sessions (the next one for its key
// gets a new engine) and removes its registration; kill also stops it
// now, else it stops when its last session ends. It reports whether the
// pool had that engine.
func (p *Pool) Retire(ctx context.Context, id string, kill bool) bool {
	p.mu.Lock()
	var found *entry
	for k, e := range p.mu.entries {
		if e.eng != nil && e.eng.ID == id {
			found = e
			delete(p.mu.entries, k)
		}
	}
	if found == nil {
		p.mu.Unlock()
		return false
	}
	if kill || found.sessions <= 0 {
		p.stopLater(found.eng)
	} else {
		p.mu.retired[found.eng] = found
	}
	p.mu.Unlock()
	if reg := p.cfg.Registry; reg != nil {
		if nodes, err := reg.Engines(ctx, p.cfg.Spaces.Path(found.eng.Key)); err == nil {
			for _, n := range nodes {
				if n.RefID == id {
					_ = reg.Deregister(ctx, n.Node)
				}
			}
		}
	}
	p.lg.Info("engine retired", zap.String("engine", id), zap.Bool("kill", kill))
	return true
}

// waitRetired waits, for an exclusive launcher, until no retired engine of
// key runs, at most RetiredWait.
func (p *Pool) waitRetired(ctx context.Context, key tenancy.Key) error {
	if x, ok := p.launcher.(exclusiveLauncher); !ok || !x.ExclusivePerKey() {
		return nil
	}
	var old *Engine
	p.mu.Lock()
	for eng := range p.mu.retired {
		if eng.Key == key && eng.Alive() {
			old = eng
		}
	}
	p.mu.Unlock()
	if old == nil {
		return nil
	}
	t := time.NewTimer(p.cfg.RetiredWait)
	defer t.Stop()
	select {
	case <-old.Exited():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("engine %s of %s was deregistered and still serves sessions, and holds its database until they end "+
			"(waited %s, kitsune.session.engine.initialize.timeout): close them, or stop it with DELETE /api/v1/admin/engine?kill=true", old.ID, key, p.cfg.RetiredWait)
	}
}

// stopLater stops eng on a goroutine the pool waits for on Close; the
// caller holds p.mu.
func (p *Pool) stopLater(eng *Engine) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		eng.Stop(context.Background(), 10*time.Second)
	}()
}

// Engines returns the live engines.
func (p *Pool) Engines() []*Engine {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*Engine
	for _, e := range p.mu.entries {
		if e.eng != nil && e.eng.Alive() {
			out = append(out, e.eng)
		}
	}
	return out
}

// Run stops idle engines until ctx is done.
func (p *Pool) Run(ctx context.Context) error {
	interval := p.cfg.CheckInterval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			p.stopIdle(ctx)
		}
	}
}

// findShared looks for a live registered engine of key; when there is none
// it returns the held creation lock, so that the caller launches while
// holding it (one launch across gateways).
func (p *Pool) findShared(ctx context.Context, key tenancy.Key) (*Engine, func() error, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	space := p.cfg.Spaces.Path(key)
	if e := p.liveRegistered(ctx, key, space); e != nil {
		return e, nil, nil
	}
	unlock, err := discovery.Lock(ctx, p.cfg.Registry.Conn(), p.cfg.Spaces.LockPath(key))
	if err != nil {
		return nil, nil, fmt.Errorf("engine creation lock for %s: %w", key, err)
	}
	if e := p.liveRegistered(ctx, key, space); e != nil {
		_ = unlock()
		return e, nil, nil
	}
	return nil, unlock, nil
}

// liveRegistered returns the first registered engine that answers; one that
// does not is removed from the registry.
func (p *Pool) liveRegistered(ctx context.Context, key tenancy.Key, space string) *Engine {
	engines, err := p.cfg.Registry.Engines(ctx, space)
	if err != nil {
		p.lg.Warn("could not list registered engines", zap.String("space", space), zap.Error(err))
		return nil
	}
	for _, re := range engines {
		c, err := net.DialTimeout("tcp", re.Addr, 2*time.Second)
		if err != nil {
			p.lg.Warn("registered engine does not answer, removing it", zap.String("node", re.Node), zap.Error(err))
			_ = p.cfg.Registry.Deregister(ctx, re.Node)
			continue
		}
		c.Close()
		return newRemote(re.RefID, re.Addr, p.cfg.Secret, key)
	}
	return nil
}

// Invalidate forgets an engine that stopped answering.
func (p *Pool) Invalidate(e *Engine) {
	e.markDead()
}

func (p *Pool) stopIdle(ctx context.Context) {
	if p.cfg.Registry != nil {
		return // shared engines stop themselves when idle
	}
	var idle []*entry
	p.mu.Lock()
	for k, e := range p.mu.entries {
		if e.eng != nil && e.sessions == 0 && !e.idle.IsZero() && time.Since(e.idle) >= p.cfg.IdleTimeout {
			delete(p.mu.entries, k)
			idle = append(idle, e)
		}
	}
	p.mu.Unlock()
	for _, e := range idle {
		p.lg.Info("stopping idle engine", zap.String("key", e.eng.Key.String()), zap.String("engine", e.eng.ID),
			zap.Duration("idle", time.Since(e.idle)))
		e.eng.Stop(ctx, 10*time.Second)
	}
}

// Close stops every engine the pool launched and waits for them.
func (p *Pool) Close() {
	p.stop() // launches in flight are abandoned, not waited out
	p.mu.Lock()
	if !p.mu.closed {
		close(p.closing)
	}
	p.mu.closed = true
	var all []*entry
	for _, e := range p.mu.entries {
		all = append(all, e)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range all {
		<-e.ready
		if e.eng == nil {
			continue
		}
		if p.cfg.Registry != nil {
			// Shared engines outlive this gateway; stop watching them.
			e.eng.markDead()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.eng.Stop(context.Background(), 10*time.Second)
		}()
	}
	wg.Wait()
	p.wg.Wait()
}

// LaunchObserver is told of each engine launch: how long it took, or why
// it failed (timeout, exited, refused, abandoned).
type LaunchObserver interface {
	Launched(typ string, took time.Duration, failure string)
}

type nopLaunchObserver struct{}

func (nopLaunchObserver) Launched(string, time.Duration, string) {}

// launchFailure names why a launch failed, for the metrics.
func launchFailure(ctx context.Context, err error) string {
	msg := err.Error()
	switch {
	case ctx.Err() != nil:
		return "abandoned"
	case strings.Contains(msg, "did not start within") || strings.Contains(msg, "timed out") || strings.Contains(msg, "waited"):
		return "timeout"
	case strings.Contains(msg, "exited") || strings.Contains(msg, "exit status") || strings.Contains(msg, "failed"):
		return "exited"
	}
	return "refused"
}

// Launching reports the launches in progress and those waiting for a
// permit, for the metrics.
func (p *Pool) Launching() (inUse, waiting int) {
	return len(p.launches), int(p.waiting.Load())
}

// QueueWaiting counts the launches waiting for room, by local queue (nil
// without local queues).
func (p *Pool) QueueWaiting() map[string]int {
	if p.cfg.Queues == nil {
		return nil
	}
	return p.cfg.Queues.Waiting()
}
