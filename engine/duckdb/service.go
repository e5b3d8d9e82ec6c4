package duckdb

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the duckdb database/sql driver
	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// ErrBadSecret is returned when a caller does not present the engine secret.
var ErrBadSecret = errors.New("duckdb engine: sessions are accepted only from kitsune gateways of this deployment")

// Config configures the engine.
type Config struct {
	// ID identifies this engine (SET kitsune.engine.id shows it).
	ID string
	// Owner is the tenant the engine was launched for.
	Owner string
	// Database is the DuckDB file; empty means in memory.
	Database string
	// Shared are the shared data locations the tenant may reach.
	Shared []Shared
	// Home is the tenant's directory: the only one SQL may reach (the
	// sandbox); empty: none.
	Home string
	// Secret must be presented as the password of every connection; empty
	// disables the check (tests only).
	Secret string
	// Memory is DuckDB's memory_limit (e.g. "4GB"); empty keeps DuckDB's default.
	Memory string
	// Threads is DuckDB's threads; 0 keeps DuckDB's default.
	Threads int
	// QueryTimeout bounds every statement; 0 means none.
	QueryTimeout time.Duration
	// MaxResultRows bounds a buffered result; 0 means none.
	MaxResultRows int64
	// MaxResultBytes bounds a buffered result's size; 0 means none.
	MaxResultBytes int64
	// OperationIdleTimeout closes operations their client stopped touching.
	OperationIdleTimeout time.Duration
	// SessionIdleTimeout (the gateway's) closes, a grace after it (the
	// timeout again, at most a minute), a detached session that no gateway
	// touches any more.
	SessionIdleTimeout time.Duration
	// IdleTimeout > 0: OnIdle is called once the engine has had no session
	// for this long (the engine stops itself when no gateway does).
	IdleTimeout time.Duration
	OnIdle      func()
	// StatusPollWait is how long GetOperationStatus waits for a running
	// statement to finish before answering (HiveServer2's long polling).
	StatusPollWait time.Duration
	// HiveOutput answers commands in HiveServer2's form (SHOW TABLES: one
	// column tab_name) instead of Spark's.
	HiveOutput bool
	// LogStatements logs every statement (redacted) at Info; off, the
	// engine log holds no statement text nor literals.
	LogStatements bool
	// Confs are engine-level settings shown by SET.
	Confs map[string]string
	// Policies, when set, authorize every statement and metadata call
	// (docs/authorization.md); nil: none.
	Policies PolicySource
}

// Service is the engine's TCLIService.
type Service struct {
	serve.NoDelegationTokens
	cfg     Config
	db      *sql.DB
	lg      *zap.Logger
	version string
	base    context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup

	// authz is nil when no policies apply.
	authz *authorizer

	sessions serve.Handles[*session]
	ops      serve.Handles[*operation]
	// opened counts every operation, for the engine's metrics.
	opened atomic.Uint64

	mu struct {
		sync.Mutex
		idleFrom time.Time
	}
}

var (
	_ tcli.TCLIService         = (*Service)(nil)
	_ serve.Authenticator      = (*Service)(nil)
	_ serve.DisconnectListener = (*Service)(nil)
)

// Open opens the DuckDB database and prepares the Spark function macros.
func Open(cfg Config, lg *zap.Logger) (*Service, error) {
	dsn := cfg.Database
	if dsn != "" {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open duckdb %q: %w", dsn, err)
	}
	ctx := context.Background()
	if err := registerGoFunctions(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare engine: %w", err)
	}
	// Spark sorts NULLs first when ascending and last when descending
	// (ORDER BY, windows); DuckDB last in both.
	init := append([]string{"SET GLOBAL default_null_order = 'nulls_first_on_asc_last_on_desc'"}, macroDDL()...)
	if cfg.Memory != "" {
		init = append([]string{"SET memory_limit = " + sqlString(cfg.Memory)}, init...)
	}
	if cfg.Threads > 0 {
		init = append([]string{fmt.Sprintf("SET threads = %d", cfg.Threads)}, init...)
	}
	dirs, files := sharedAllowed(cfg.Shared)
	init = append(init, sandboxDDL(append([]string{cfg.Home}, dirs...), files)...)
	for _, q := range init {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("prepare engine (%s): %w", q, err)
		}
	}
	// A shared location that cannot be served is left out, not fatal: the
	// tenant's own data is still there.
	shared, problems := sharedDDL(cfg.Shared)
	for _, q := range shared {
		if _, err := db.ExecContext(ctx, q); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", q, err))
		}
	}
	for _, p := range problems {
		lg.Warn("a shared location is not served", zap.Error(p))
	}
	s := &Service{cfg: cfg, db: db, lg: lg}
	_ = db.QueryRowContext(ctx, "SELECT version()").Scan(&s.version)
	if cfg.Policies != nil {
		s.authz = &authorizer{src: cfg.Policies, audit: lg.Named("authz.audit")}
		for _, sh := range cfg.Shared {
			if sh.Format == "duckdb" {
				continue // attached by the engine, its tables under policies
			}
			s.authz.readDirs = append(s.authz.readDirs, sh.Path)
			if sh.Write {
				s.authz.writeDirs = append(s.authz.writeDirs, sh.Path)
			}
		}
		if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&s.authz.mainCatalog); err != nil {
			db.Close()
			return nil, fmt.Errorf("prepare authorization: %w", err)
		}
	}
	s.base, s.stop = context.WithCancel(context.Background())
	s.mu.idleFrom = time.Now()
	return s, nil
}

// DuckDBVersion is the embedded DuckDB's version.
func (s *Service) DuckDBVersion() string { return s.version }

// Authenticate checks the engine secret (constant time).
func (s *Service) Authenticate(_ context.Context, user, password, addr string) (string, error) {
	if s.cfg.Secret != "" && subtle.ConstantTimeCompare([]byte(password), []byte(s.cfg.Secret)) != 1 {
		s.lg.Warn("engine connection refused", zap.String("user", user), zap.String("remote", addr))
		return "", ErrBadSecret
	}
	return user, nil
}

// IdleSince reports since when the engine has had no session (zero when it
// has sessions).
func (s *Service) IdleSince() time.Time {
	if s.sessions.Len() > 0 {
		return time.Time{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.idleFrom
}

// Run closes idle operations and detached sessions, and reports the engine
// idle (OnIdle), until ctx is done.
func (s *Service) Run(ctx context.Context) {
	every := time.Minute
	for _, d := range []time.Duration{s.cfg.OperationIdleTimeout / 2, s.cfg.IdleTimeout / 4, s.cfg.SessionIdleTimeout / 4} {
		if d > 0 {
			every = min(every, d+time.Millisecond)
		}
	}
	if s.cfg.OperationIdleTimeout <= 0 && s.cfg.IdleTimeout <= 0 && s.cfg.SessionIdleTimeout <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.closeIdle(time.Now())
			if since := s.IdleSince(); s.cfg.IdleTimeout > 0 && !since.IsZero() && time.Since(since) > s.cfg.IdleTimeout {
				s.lg.Info("engine idle, stopping", zap.Duration("idle", time.Since(since)))
				if s.cfg.OnIdle != nil {
					s.cfg.OnIdle()
				}
				return
			}
		}
	}
}

// SetOnIdle sets what Run calls when the engine stays idle; call it
// before Run.
func (s *Service) SetOnIdle(f func()) { s.cfg.OnIdle = f }

// closeIdle closes the operations idle past the operation idle timeout,
// and the detached sessions that nothing (no call on them or on their
// operations) touched for a grace past the session idle timeout (the
// timeout again, at most a minute): their
// gateway died and no other adopted them, or the gateway closed them at its
// timeout. Without a session idle timeout, a detached session goes with its
// last idle operation.
func (s *Service) closeIdle(now time.Time) {
	opCutoff := time.Time{}
	if s.cfg.OperationIdleTimeout > 0 {
		opCutoff = now.Add(-s.cfg.OperationIdleTimeout)
	}
	sessCutoff := opCutoff
	if t := s.cfg.SessionIdleTimeout; t > 0 {
		sessCutoff = now.Add(-t - min(t, time.Minute))
	}
	idleSessions := s.sessions.Where(func(ss *session) bool {
		return ss.detached && ss.idleSince(sessCutoff, s.cfg.SessionIdleTimeout > 0)
	})
	idle := s.ops.Where(func(op *operation) bool {
		op.mu.Lock()
		defer op.mu.Unlock()
		return op.mu.lastAccess.Before(opCutoff)
	})
	for _, op := range idle {
		s.lg.Info("closing idle operation", zap.String("user", op.sess.user), zap.Duration("idle", now.Sub(opCutoff)))
		s.closeOperation(op)
	}
	for _, ss := range idleSessions {
		s.lg.Info("closing idle detached session", zap.String("user", ss.user))
		s.closeSession(ss)
	}
}

// Close cancels running statements, closes every session and the database.
func (s *Service) Close() error {
	s.stop()
	for _, ss := range s.sessions.Where(func(*session) bool { return true }) {
		s.closeSession(ss)
	}
	s.wg.Wait()
	return s.db.Close()
}

// ConnectionClosed closes the sessions opened on a binary connection that ended.
func (s *Service) ConnectionClosed(connID uint64) {
	for _, ss := range s.sessions.Where(func(ss *session) bool { return ss.connID == connID && connID != 0 }) {
		s.closeSession(ss)
	}
}

func (s *Service) session(h *tcli.TSessionHandle) (*session, error) {
	if h == nil || h.SessionId == nil {
		return nil, errInvalidSession
	}
	ss, ok := s.sessions.Get(serve.Key(h.SessionId))
	if !ok {
		return nil, errInvalidSession
	}
	ss.touch()
	return ss, nil
}

func (s *Service) operation(h *tcli.TOperationHandle) (*operation, error) {
	if h == nil || h.OperationId == nil {
		return nil, errInvalidOperation
	}
	op, ok := s.ops.Get(serve.Key(h.OperationId))
	if !ok {
		return nil, errInvalidOperation
	}
	op.mu.Lock()
	op.mu.lastAccess = time.Now()
	op.mu.Unlock()
	return op, nil
}

var (
	errInvalidSession   = errors.New("invalid session handle")
	errInvalidOperation = errors.New("invalid operation handle")
)

// statusOf maps engine errors, including the invalid-handle sentinels.
func statusOf(err error) *tcli.TStatus {
	switch {
	case errors.Is(err, errInvalidSession):
		return status.InvalidHandle("session")
	case errors.Is(err, errInvalidOperation):
		return status.InvalidHandle("operation")
	}
	return status.From(err)
}

// sqlError classifies a DuckDB error into a client-facing error with SQLSTATE.
func sqlError(err error) error {
	if err == nil {
		return nil
	}
	var coded *status.Error
	if errors.As(err, &coded) {
		return coded
	}
	msg := err.Error()
	if spark, ok := sparkClassError(msg, err); ok {
		return spark
	}
	state := status.StateGeneral
	switch {
	case errors.Is(err, context.Canceled) || strings.Contains(msg, "INTERRUPT"):
		return &status.Error{SQLState: status.StateCanceled, Message: "statement canceled", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &status.Error{SQLState: status.StateTimeout, Message: "statement timed out", Err: err}
	case strings.Contains(msg, "Parser Error"):
		state = "42601"
	case strings.Contains(msg, "Function with name ") && strings.Contains(msg, "Catalog Error"):
		m, _ := unknownFunction(msg)
		return &status.Error{SQLState: StateUnsupported, Message: m, Err: err}
	case strings.Contains(msg, "Binder Error") && isUnsupportedArguments(msg):
		m, _ := unsupportedArguments(msg)
		return &status.Error{SQLState: StateUnsupported, Message: m, Err: err}
	case strings.Contains(msg, "Catalog Error"), strings.Contains(msg, "Binder Error"):
		state = "42000"
	case strings.Contains(msg, "Unimplemented type for cast"):
		return &status.Error{SQLState: StateUnsupported, Message: "this cast is not supported on the local engine (" + firstLine(msg) + ")", Err: err}
	case strings.Contains(msg, "Conversion Error"):
		state = "22018"
	case strings.Contains(msg, "Constraint Error"):
		state = "23000"
	case strings.Contains(msg, "Permission Error"):
		state = "42000"
		msg += permissionHint
	case strings.Contains(msg, "configuration has been locked"):
		state = "42000"
		msg += lockedHint
	case strings.Contains(msg, "Out of Memory"):
		state = "53200"
		msg += " (the engine's memory limit is kitsune.engine.memory)"
	}
	return &status.Error{SQLState: state, Message: msg, Err: err}
}
