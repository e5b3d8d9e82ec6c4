// Package memory is the in-process discovery backend: a Store shared by
// any number of Conns, each acting as one session whose ephemeral nodes go
// away when it closes. It is the single-node default and the fake for
// unit tests.
package memory

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/kitsune-sql/kitsune/discovery"
)

// Store holds the nodes.
type Store struct {
	mu      sync.Mutex
	nodes   map[string]*node
	seq     map[string]int // per parent
	watches map[string][]chan struct{}
	nextID  int
}

type node struct {
	data  []byte
	owner int // session id of an ephemeral node; 0 for persistent
}

// NewStore returns an empty store with the root node.
func NewStore() *Store {
	return &Store{nodes: map[string]*node{"/": {}}, seq: map[string]int{}, watches: map[string][]chan struct{}{}}
}

// Conn opens a session on the store.
func (s *Store) Conn() discovery.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return &conn{s: s, id: s.nextID}
}

type conn struct {
	s      *Store
	id     int
	closed bool
}

var _ discovery.Conn = (*conn)(nil)

func clean(p string) string { return path.Clean("/" + p) }

// check refuses a call on a closed connection or with an ended context.
func (c *conn) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.closed {
		return discovery.ErrClosed
	}
	return nil
}

// fire closes the watches of parent (caller holds the lock).
func (s *Store) fire(parent string) {
	for _, ch := range s.watches[parent] {
		close(ch)
	}
	delete(s.watches, parent)
}

func (c *conn) Create(ctx context.Context, p string, data []byte, mode discovery.Mode) (string, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := c.check(ctx); err != nil {
		return "", err
	}
	p = clean(p)
	// Missing parents become persistent nodes.
	parts := strings.Split(strings.TrimPrefix(path.Dir(p), "/"), "/")
	cur := ""
	for _, part := range parts {
		if part == "" {
			continue
		}
		parent := cur
		if parent == "" {
			parent = "/"
		}
		cur += "/" + part
		if _, ok := s.nodes[cur]; !ok {
			s.nodes[cur] = &node{}
			s.fire(parent)
		}
	}
	if mode == discovery.PersistentSequential || mode == discovery.EphemeralSequential {
		dir := path.Dir(p)
		p = fmt.Sprintf("%s%010d", p, s.seq[dir])
		s.seq[dir]++
	}
	if _, ok := s.nodes[p]; ok {
		return "", fmt.Errorf("create %s: %w", p, discovery.ErrNodeExists)
	}
	n := &node{data: append([]byte(nil), data...)}
	if mode == discovery.Ephemeral || mode == discovery.EphemeralSequential {
		n.owner = c.id
	}
	s.nodes[p] = n
	s.fire(path.Dir(p))
	return p, nil
}

func (c *conn) Get(ctx context.Context, p string) ([]byte, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	n, ok := c.s.nodes[clean(p)]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", p, discovery.ErrNoNode)
	}
	return append([]byte(nil), n.data...), nil
}

func (s *Store) children(p string) ([]string, error) {
	if _, ok := s.nodes[p]; !ok {
		return nil, fmt.Errorf("children of %s: %w", p, discovery.ErrNoNode)
	}
	prefix := strings.TrimSuffix(p, "/") + "/"
	out := []string{}
	for k := range s.nodes {
		if k != p && strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			out = append(out, k[len(prefix):])
		}
	}
	sort.Strings(out)
	return out, nil
}

func (c *conn) Children(ctx context.Context, p string) ([]string, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	return c.s.children(clean(p))
}

func (c *conn) WatchChildren(ctx context.Context, p string) ([]string, <-chan struct{}, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.check(ctx); err != nil {
		return nil, nil, err
	}
	p = clean(p)
	kids, err := c.s.children(p)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan struct{})
	c.s.watches[p] = append(c.s.watches[p], ch)
	return kids, ch, nil
}

func (c *conn) Delete(ctx context.Context, p string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.check(ctx); err != nil {
		return err
	}
	p = clean(p)
	if _, ok := c.s.nodes[p]; !ok {
		return fmt.Errorf("delete %s: %w", p, discovery.ErrNoNode)
	}
	if kids, _ := c.s.children(p); len(kids) > 0 {
		return fmt.Errorf("delete %s: %w", p, discovery.ErrNotEmpty)
	}
	delete(c.s.nodes, p)
	c.s.fire(path.Dir(p))
	c.s.fire(p)
	return nil
}

// Close ends the session: its ephemeral nodes go away.
func (c *conn) Close() error {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for p, n := range s.nodes {
		if n.owner == c.id {
			delete(s.nodes, p)
			s.fire(path.Dir(p))
		}
	}
	return nil
}
