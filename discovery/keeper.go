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
	Log       *zap.Logger

	node string
}

func (k *Keeper) session() int64 {
	if s, ok := k.Conn.(Sessioned); ok {
		return s.SessionID()
	}
	return 0
}

// Run registers and watches until ctx is done; it returns the last node so
// that the caller can deregister it.
func (k *Keeper) Run(ctx context.Context, ready chan<- string) string {
	var session int64
	register := func() bool {
		for {
			node, err := k.Register(ctx)
			if err == nil {
				k.node, session = node, k.session()
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
	if !register() {
		close(ready)
		return ""
	}
	ready <- k.node
	close(ready)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var lostSince time.Time
	// lost reports whether the backend has been away longer than the grace.
	lost := func() bool {
		h, ok := k.Conn.(Healthy)
		if !ok || k.LostGrace <= 0 {
			return false
		}
		if h.Connected() {
			lostSince = time.Time{}
			return false
		}
		if lostSince.IsZero() {
			lostSince = time.Now()
			k.Log.Warn("lost ZooKeeper: running sessions go on", zap.Duration("grace", k.LostGrace))
		}
		if time.Since(lostSince) < k.LostGrace {
			return false
		}
		k.Log.Error("ZooKeeper unreachable for longer than kitsune.ha.zookeeper.lost.grace: stopping advertising", zap.Duration("grace", k.LostGrace))
		if k.Lost != nil {
			k.Lost()
		}
		return true
	}
	for {
		kids, changed, err := k.Conn.WatchChildren(ctx, path.Dir(k.node))
		if err != nil && !errors.Is(err, ErrNoNode) {
			// ZooKeeper is unreachable: running sessions go on; try again.
			if lost() {
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
			if s := k.session(); s != session {
				k.Log.Warn("registration lost with an expired session, registering again", zap.String("node", k.node))
				if !register() {
					return ""
				}
				continue
			}
			k.Log.Warn("registration deleted by an operator", zap.String("node", k.node))
			k.node = ""
			if k.Removed != nil {
				k.Removed()
			}
			return ""
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return k.node
			case <-changed:
				break wait
			case <-tick.C:
				if lost() {
					return k.node
				}
			}
		}
	}
}
