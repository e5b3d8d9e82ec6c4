package discovery

import (
	"context"
	"errors"
)

// Mode is how a node lives.
type Mode int

// Node modes. Ephemeral nodes vanish with the Conn (the ZooKeeper session)
// that created them; sequential nodes get a 10-digit increasing suffix.
const (
	Persistent Mode = iota
	Ephemeral
	PersistentSequential
	EphemeralSequential
	// PersistentPrivate is a persistent node that only the identity that
	// created it can read or change (deployment secrets). A backend that
	// cannot tell identities apart without authentication refuses it with
	// ErrNoAuth.
	PersistentPrivate
)

// PrivateMaker is implemented by backends that can restrict an existing
// node to the connection's own identity (a node an older version created
// readable by all).
type PrivateMaker interface {
	MakePrivate(ctx context.Context, path string) error
}

// Sentinel errors every backend returns, converted at its boundary.
var (
	ErrNoNode     = errors.New("discovery: no such node")
	ErrNodeExists = errors.New("discovery: node exists")
	ErrNotEmpty   = errors.New("discovery: node has children")
	ErrClosed     = errors.New("discovery: connection closed")
	ErrNoAuth     = errors.New("discovery: not authorized")
)

// Conn is the plug-in a backend implements. Paths are absolute,
// slash-separated; Create makes missing parents as persistent nodes.
type Conn interface {
	// Create makes a node and returns its path (with the sequence suffix
	// for sequential modes). ErrNodeExists if it exists.
	Create(ctx context.Context, path string, data []byte, mode Mode) (string, error)
	// Get returns a node's data. ErrNoNode if it does not exist.
	Get(ctx context.Context, path string) ([]byte, error)
	// Children lists a node's children's names, sorted. ErrNoNode if the
	// node does not exist.
	Children(ctx context.Context, path string) ([]string, error)
	// WatchChildren is Children plus a channel closed at the next change of
	// the node's children (or of the node's existence).
	WatchChildren(ctx context.Context, path string) ([]string, <-chan struct{}, error)
	// Delete removes a node. ErrNoNode if absent, ErrNotEmpty if it has
	// children.
	Delete(ctx context.Context, path string) error
	// Close ends the connection; its ephemeral nodes go away.
	Close() error
}
