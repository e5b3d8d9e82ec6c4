package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
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
}

// Pool caches one engine per key.
type Pool struct {
	cfg      PoolConfig
	launcher Launcher
	lg       *zap.Logger
	launches chan struct{}

	mu struct {
		sync.Mutex
		entries map[Key]*entry
		closed  bool
	}
	wg sync.WaitGroup
}

type entry struct {
	ready    chan struct{} // closed once the launch ended
	eng      *Engine
	err      error
	unqueue  func() // gives back the queue reservation
	sessions int
	idle     time.Time
}

// NewPool returns a Pool launching with l.
func NewPool(cfg PoolConfig, l Launcher, lg *zap.Logger) *Pool {
	p := &Pool{cfg: cfg, launcher: l, lg: lg}
	if cfg.MaxLaunches > 0 {
		p.launches = make(chan struct{}, cfg.MaxLaunches)
	}
	p.mu.entries = map[Key]*entry{}
	return p
}

// ErrPoolClosed is returned once the pool is closing.
var ErrPoolClosed = fmt.Errorf("engine pool is shutting down")

// Acquire returns the live engine for key, launching it when there is none.
// Concurrent callers for one key share a single launch. The caller calls
// Release when its session ends.
func (p *Pool) Acquire(ctx context.Context, key Key, profile conf.Profile) (*Engine, error) {
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
			e = &entry{ready: make(chan struct{})}
			p.mu.entries[key] = e
			e.sessions++
			p.mu.Unlock()
			p.launch(key, profile, e)
		} else {
			e.sessions++
			p.mu.Unlock()
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			p.Release(key)
			return nil, ctx.Err()
		}
		if e.err != nil {
			p.Release(key)
			return nil, e.err
		}
		if !e.eng.Alive() {
			p.Release(key)
			continue
		}
		return e.eng, nil
	}
}

func (p *Pool) launch(key Key, profile conf.Profile, e *entry) {
	// The launch outlives the first caller's context: other sessions of
	// the key wait for it too.
	var eng *Engine
	var err error
	if p.cfg.Queues != nil {
		e.unqueue, err = p.cfg.Queues.Reserve(context.Background(), key, profile)
	}
	if err == nil {
		if p.launches != nil {
			p.launches <- struct{}{}
		}
		eng, err = p.launcher.Launch(context.Background(), key, profile)
		if p.launches != nil {
			<-p.launches
		}
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

// watch forgets an engine whose process ended.
func (p *Pool) watch(key Key, e *entry) {
	defer p.wg.Done()
	<-e.eng.Exited()
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

// Release ends one session's use of key's engine. A CONNECTION engine
// stops with its session.
func (p *Pool) Release(key Key) {
	p.mu.Lock()
	defer p.mu.Unlock()
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
	if key.ShareLevel == "CONNECTION" && e.eng != nil {
		delete(p.mu.entries, key)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			e.eng.Stop(context.Background(), 10*time.Second)
		}()
	}
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

func (p *Pool) stopIdle(ctx context.Context) {
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
	p.mu.Lock()
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.eng.Stop(context.Background(), 10*time.Second)
		}()
	}
	wg.Wait()
	p.wg.Wait()
}
