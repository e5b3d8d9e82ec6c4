package discovery

import (
	"context"
	"errors"
	"path"
	"time"

	"go.uber.org/zap"
)

// Sessioned is implemented by backends whose sessions can expire and be
// replaced by new ones (ZooKeeper): the id changes when that happens.
type Sessioned interface {
	SessionID() int64
}

// SessionChecker is implemented by backends that can say whether the
// session a registration was made in still lives (etcd: its lease). The
// keeper asks before it takes a missing node for an operator's delete,
// because a watch that resumes after a partition can report the lease's
// expiry before the backend's own keep-alive has noticed it.
type SessionChecker interface {
	SessionAlive(ctx context.Context, id int64) bool
}

// Healthy is implemented by backends that can lose their server.
type Healthy interface {
	Connected() bool
}

// Keeper keeps one ephemeral registration alive: when the backend's session
// expired (and the node went with it) it registers again; when the node is
// deleted by someone else while the session lives — an operator's
// `kitsune ctl delete` — it calls Removed once and stops.
type Keeper struct {
	Conn Conn
	// Register creates the node and returns its path.
	Register func(ctx context.Context) (string, error)
	// Removed is called when the node was deleted on purpose.
	Removed func()
	// LostGrace > 0: when the backend stays unreachable this long, Lost is
	// called once and Run returns (the owner stops advertising and drains).
	LostGrace time.Duration
	Lost      func()
	// Expired, when set, is told of each registration lost with an
	// expired session (and made again), for the metrics.
	Expired func()
	Log     *zap.Logger

	node      string
	session   int64     // the backend session the node was made in
	seen      int64     // the last new session the node was looked for in
	lostSince time.Time // when the backend went away (zero: it is there)
}

func (k *Keeper) sessionID() int64 {
	if s, ok := k.Conn.(Sessioned); ok {
		return s.SessionID()
	}
	return 0
}

// Run registers and watches until ctx is done; it returns the last node so
// that the caller can deregister it.
func (k *Keeper) Run(ctx context.Context, ready chan<- string) string {
	if !k.register(ctx) {
		close(ready)
		return ""
	}
	ready <- k.node
	close(ready)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		kids, changed, err := k.Conn.WatchChildren(ctx, path.Dir(k.node))
		if err != nil && !errors.Is(err, ErrNoNode) {
			// ZooKeeper is unreachable: running sessions go on; try again.
			if k.lost() {
				return k.node
			}
			select {
			case <-ctx.Done():
				return k.node
			case <-time.After(time.Second):
				continue
			}
		}
		if !contains(kids, path.Base(k.node)) {
			if k.sessionID() == k.session && k.sessionAlive(ctx) {
				k.Log.Warn("registration deleted by an operator", zap.String("node", k.node))
				k.node = ""
				if k.Removed != nil {
					k.Removed()
				}
				return ""
			}
			k.Log.Warn("registration lost with an expired session, registering again", zap.String("node", k.node))
			if k.Expired != nil {
				k.Expired()
			}
			if !k.register(ctx) {
				return ""
			}
			continue
		}
		if !k.await(ctx, changed, tick.C) {
			return k.node
		}
	}
}

// sessionAlive reports whether the registration's session still lives;
// backends that cannot tell are taken at their session id.
func (k *Keeper) sessionAlive(ctx context.Context) bool {
	if s, ok := k.Conn.(SessionChecker); ok {
		return s.SessionAlive(ctx, k.session)
	}
	return true
}

// register registers until it succeeds or ctx ends (false).
func (k *Keeper) register(ctx context.Context) bool {
	for {
		node, err := k.Register(ctx)
		if err == nil {
			k.node, k.session = node, k.sessionID()
			k.Log.Info("registered", zap.String("node", node))
			return true
		}
		k.Log.Warn("registration failed, retrying", zap.Error(err))
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
		}
	}
}

// await waits for the registration's parent to change (true), or for ctx
// to end or the backend to be lost past the grace (false).
func (k *Keeper) await(ctx context.Context, changed <-chan struct{}, tick <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			return true
		case <-tick:
			if k.lost() {
				return false
			}
			// A new session may have lost the node without the watch
			// saying so (an event missed across a partition): look once
			// per new session.
			if id := k.sessionID(); id != k.session && id != k.seen {
				k.seen = id
				return true
			}
		}
	}
}

// lost reports whether the backend has been away longer than the grace,
// calling Lost when it has.
func (k *Keeper) lost() bool {
	h, ok := k.Conn.(Healthy)
	if !ok || k.LostGrace <= 0 {
		return false
	}
	if h.Connected() {
		k.lostSince = time.Time{}
		return false
	}
	if k.lostSince.IsZero() {
		k.lostSince = time.Now()
		k.Log.Warn("lost ZooKeeper: running sessions go on", zap.Duration("grace", k.LostGrace))
	}
	if time.Since(k.lostSince) < k.LostGrace {
		return false
	}
	k.Log.Error("ZooKeeper unreachable for longer than kitsune.ha.zookeeper.lost.grace: stopping advertising", zap.Duration("grace", k.LostGrace))
	if k.Lost != nil {
		k.Lost()
	}
	return true
}
