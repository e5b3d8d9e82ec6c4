package discovery

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Lock takes the lock at dir, waiting until it holds it or ctx ends. It is
// ZooKeeper's lock recipe written once over Conn: every contender makes an
// ephemeral sequential child of dir and the lowest one holds the lock; a
// waiter watches dir. The lock goes away with the Conn's session, so a
// holder must not assume it still holds it after a session loss.
func Lock(ctx context.Context, c Conn, dir string) (unlock func() error, err error) {
	me, err := c.Create(ctx, dir+"/lock-", nil, EphemeralSequential)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	mine := path.Base(me)
	release := func() error {
		if err := c.Delete(context.Background(), me); err != nil && !errors.Is(err, ErrNoNode) {
			return err
		}
		return nil
	}
	for {
		kids, changed, err := c.WatchChildren(ctx, dir)
		if err != nil {
			_ = release()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		var locks []string
		for _, k := range kids {
			if strings.HasPrefix(k, "lock-") {
				locks = append(locks, k)
			}
		}
		sort.Slice(locks, func(i, j int) bool { return sequence(locks[i]) < sequence(locks[j]) })
		if len(locks) > 0 && locks[0] == mine {
			return release, nil
		}
		if !contains(locks, mine) {
			return nil, fmt.Errorf("lock %s: our lock node vanished (session lost?)", dir)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			_ = release()
			return nil, fmt.Errorf("lock %s: %w", dir, ctx.Err())
		}
	}
}

// sequence is the 10-digit suffix of a sequential node's name.
func sequence(name string) string {
	if len(name) >= 10 {
		return name[len(name)-10:]
	}
	return name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
