package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned for an unknown id; ErrExists for an id taken.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: exists")
)

// Session is a session's routing record.
type Session struct {
	ID         string // hex of the handle GUID
	User       string // effective user
	Owner      string // authenticated user
	EngineID   string
	EngineAddr string
	EngineKey  string
	Gateway    string
	Protocol   int32
	Created    time.Time
}

// Operation ties an operation handle to its session.
type Operation struct {
	ID        string
	SessionID string
	Created   time.Time
}

// Engine is an engine as the gateways know it.
type Engine struct {
	ID      string
	Key     string
	Addr    string
	User    string
	Profile string
	State   string
	Gateway string
	Created time.Time
	Updated time.Time
}

// Batch is a batch job (POST /api/v1/batches) and how it stands.
type Batch struct {
	ID, User, Type, Name    string
	Resource, Class         string
	Conf                    map[string]string
	Args                    []string
	State                   string // PENDING, RUNNING, FINISHED, ERROR, CANCELED
	AppID, AppURL, AppState string
	AppDiagnostic           string
	Gateway                 string // the gateway that runs it (kyuubiInstance)
	LogPath                 string
	PID                     int // spark-submit's, while it runs
	// PIDStart is when that process started (Linux clock ticks since
	// boot), so that a pid reused after a restart is not taken for it.
	PIDStart                 uint64
	Created, Ended, AppStart time.Time
}

// Store is the metadata store. Put overwrites; Get returns ErrNotFound for
// unknown ids; DeleteSession also deletes the session's operations;
// DeleteEngine also deletes the sessions the engine served (and theirs),
// which nobody can adopt once it is gone.
type Store interface {
	PutSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	PutOperation(ctx context.Context, o Operation) error
	GetOperation(ctx context.Context, id string) (Operation, error)
	DeleteOperation(ctx context.Context, id string) error
	// RecordOperations puts and deletes operations in one write; an
	// operation whose session is no longer recorded is skipped.
	RecordOperations(ctx context.Context, put []Operation, del []string) error
	PutEngine(ctx context.Context, e Engine) error
	Engines(ctx context.Context) ([]Engine, error)
	DeleteEngine(ctx context.Context, id string) error
	// CreateBatch records a new batch; ErrExists if its id is taken (two
	// gateways given the same kitsune.batch.id run it once).
	CreateBatch(ctx context.Context, b Batch) error
	// PutBatch overwrites a batch; Batches lists every batch.
	PutBatch(ctx context.Context, b Batch) error
	GetBatch(ctx context.Context, id string) (Batch, error)
	Batches(ctx context.Context) ([]Batch, error)
	Close() error
}
