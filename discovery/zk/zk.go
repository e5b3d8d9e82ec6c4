// Package zk is the ZooKeeper discovery backend over
// github.com/go-zookeeper/zk. It converts the driver's errors to
// discovery's sentinels at the boundary.
package zk

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/discovery"
)

// Config says how to reach ZooKeeper.
type Config struct {
	// Addresses are host:port pairs (kitsune.ha.addresses).
	Addresses []string
	// SessionTimeout is the ZooKeeper session timeout.
	SessionTimeout time.Duration
	// ConnectTimeout bounds waiting for the first connection.
	ConnectTimeout time.Duration
	// Digest, "user:password", authenticates with ZooKeeper's digest
	// scheme; nodes created are then writable by that identity only and
	// readable by all.
	Digest string
}

type conn struct {
	zc  *gozk.Conn
	lg  *zap.Logger
	acl []gozk.ACL
	// authed: the session carries a digest identity.
	authed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

var (
	_ discovery.Conn         = (*conn)(nil)
	_ discovery.Sessioned    = (*conn)(nil)
	_ discovery.Healthy      = (*conn)(nil)
	_ discovery.PrivateMaker = (*conn)(nil)
)

// SessionID is the current ZooKeeper session; it changes after an expiry.
func (c *conn) SessionID() int64 { return c.zc.SessionID() }

// Connected reports whether the client has a live session with a server.
func (c *conn) Connected() bool {
	st := c.zc.State()
	return st == gozk.StateHasSession || st == gozk.StateConnected
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// Dial connects to ZooKeeper and waits until the session is established or
// ConnectTimeout passes.
func Dial(cfg Config, lg *zap.Logger) (discovery.Conn, error) {
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = 60 * time.Second
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	zc, events, err := gozk.Connect(cfg.Addresses, cfg.SessionTimeout, gozk.WithLogger(quiet{}))
	if err != nil {
		return nil, fmt.Errorf("connect to ZooKeeper %s (kitsune.ha.addresses): %w", strings.Join(cfg.Addresses, ","), err)
	}
	c := &conn{zc: zc, lg: lg, acl: gozk.WorldACL(gozk.PermAll), done: make(chan struct{})}
	connected := make(chan struct{})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		once := sync.Once{}
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.State == gozk.StateHasSession {
					once.Do(func() { close(connected) })
				}
				if ev.State == gozk.StateExpired {
					lg.Warn("ZooKeeper session expired", zap.String("server", zc.Server()))
				}
			case <-c.done:
				return
			}
		}
	}()
	select {
	case <-connected:
		if cfg.Digest != "" {
			if !strings.Contains(cfg.Digest, ":") {
				_ = c.Close()
				return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.digest must be user:password")
			}
			if err := zc.AddAuth("digest", []byte(cfg.Digest)); err != nil {
				_ = c.Close()
				return nil, fmt.Errorf("ZooKeeper digest authentication (kitsune.ha.zookeeper.auth.digest): %w", err)
			}
			c.acl = append(gozk.AuthACL(gozk.PermAll), gozk.WorldACL(gozk.PermRead)...)
			c.authed = true
		}
		return c, nil
	case <-time.After(cfg.ConnectTimeout):
		_ = c.Close()
		return nil, fmt.Errorf("no ZooKeeper session with %s within %s (kitsune.ha.addresses, kitsune.ha.zookeeper.connection.timeout)",
			strings.Join(cfg.Addresses, ","), cfg.ConnectTimeout)
	}
}

func convert(op, p string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gozk.ErrNoNode):
		err = discovery.ErrNoNode
	case errors.Is(err, gozk.ErrNodeExists):
		err = discovery.ErrNodeExists
	case errors.Is(err, gozk.ErrNotEmpty):
		err = discovery.ErrNotEmpty
	case errors.Is(err, gozk.ErrClosing), errors.Is(err, gozk.ErrConnectionClosed):
		err = discovery.ErrClosed
	case errors.Is(err, gozk.ErrNoAuth):
		err = fmt.Errorf("%w: not allowed by the node's ACL (kitsune.ha.zookeeper.auth.*)", discovery.ErrNoAuth)
	}
	return fmt.Errorf("%s %s: %w", op, p, err)
}

func flags(mode discovery.Mode) int32 {
	switch mode {
	case discovery.Ephemeral:
		return gozk.FlagEphemeral
	case discovery.PersistentSequential:
		return gozk.FlagSequence
	case discovery.EphemeralSequential:
		return gozk.FlagEphemeral | gozk.FlagSequence
	}
	return 0
}

func (c *conn) Create(ctx context.Context, p string, data []byte, mode discovery.Mode) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p = path.Clean("/" + p)
	acl := c.acl
	if mode == discovery.PersistentPrivate {
		if !c.authed {
			return "", fmt.Errorf("create %s: %w: a private node needs ZooKeeper authentication (kitsune.ha.zookeeper.auth.type=DIGEST)", p, discovery.ErrNoAuth)
		}
		acl = gozk.AuthACL(gozk.PermAll) // the creator's digest identity only: no world read
	}
	got, err := c.zc.Create(p, data, flags(mode), acl)
	if errors.Is(err, gozk.ErrNoNode) {
		if err := c.makeParents(path.Dir(p)); err != nil {
			return "", err
		}
		got, err = c.zc.Create(p, data, flags(mode), acl)
	}
	return got, convert("create", p, err)
}

// MakePrivate restricts p to this connection's identity.
func (c *conn) MakePrivate(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !c.authed {
		return fmt.Errorf("make %s private: %w: ZooKeeper authentication is needed (kitsune.ha.zookeeper.auth.type=DIGEST)", p, discovery.ErrNoAuth)
	}
	_, err := c.zc.SetACL(p, gozk.AuthACL(gozk.PermAll), -1)
	return convert("set the ACL of", p, err)
}

func (c *conn) makeParents(dir string) error {
	cur := ""
	for _, part := range strings.Split(strings.TrimPrefix(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		if _, err := c.zc.Create(cur, nil, 0, c.acl); err != nil && !errors.Is(err, gozk.ErrNodeExists) {
			return convert("create", cur, err)
		}
	}
	return nil
}

func (c *conn) Get(ctx context.Context, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, _, err := c.zc.Get(path.Clean("/" + p))
	return data, convert("get", p, err)
}

func (c *conn) Children(ctx context.Context, p string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kids, _, err := c.zc.Children(path.Clean("/" + p))
	if err != nil {
		return nil, convert("children of", p, err)
	}
	sort.Strings(kids)
	return kids, nil
}

func (c *conn) WatchChildren(ctx context.Context, p string) ([]string, <-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	kids, _, events, err := c.zc.ChildrenW(path.Clean("/" + p))
	if err != nil {
		return nil, nil, convert("watch children of", p, err)
	}
	sort.Strings(kids)
	ch := make(chan struct{})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(ch)
		select {
		case <-events:
		case <-c.done:
		case <-ctx.Done(): // the caller stopped watching: the goroutine goes too
		}
	}()
	return kids, ch, nil
}

func (c *conn) Delete(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return convert("delete", p, c.zc.Delete(path.Clean("/"+p), -1))
}

func (c *conn) Close() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	close(c.done)
	c.zc.Close()
	c.wg.Wait()
	return nil
}
