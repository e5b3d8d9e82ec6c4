package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

type postgres struct {
	pool    *pgxpool.Pool
	retried func()
}

var _ Store = (*postgres)(nil)

// migrations bring the schema to the current version, one step each.
var migrations = []string{
	`CREATE TABLE IF NOT EXISTS kitsune_sessions (
		id TEXT PRIMARY KEY, usr TEXT NOT NULL, owner TEXT NOT NULL, engine_id TEXT NOT NULL,
		engine_addr TEXT NOT NULL, engine_key TEXT NOT NULL, gateway TEXT NOT NULL, protocol INT NOT NULL,
		created TIMESTAMPTZ NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS kitsune_operations (
		id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES kitsune_sessions(id) ON DELETE CASCADE,
		created TIMESTAMPTZ NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS kitsune_engines (
		id TEXT PRIMARY KEY, key TEXT NOT NULL, addr TEXT NOT NULL, usr TEXT NOT NULL, profile TEXT NOT NULL,
		state TEXT NOT NULL, gateway TEXT NOT NULL, created TIMESTAMPTZ NOT NULL, updated TIMESTAMPTZ NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS kitsune_batches (id TEXT PRIMARY KEY, body JSONB NOT NULL)`,
}

// OpenPostgres connects to url (kitsune.metadata.store.url) and creates or
// migrates the schema.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	return OpenPostgresWith(ctx, url, PostgresOptions{})
}

// PostgresOptions are OpenPostgres's optional parts.
type PostgresOptions struct {
	// Retried is told of each retry of a transient failure (metrics).
	Retried func()
}

// OpenPostgresWith is OpenPostgres with options.
func OpenPostgresWith(ctx context.Context, url string, opts PostgresOptions) (Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("kitsune.metadata.store.url: %w", err)
	}
	if opts.Retried == nil {
		opts.Retried = func() {}
	}
	p := &postgres{pool: pool, retried: opts.Retried}
	err = p.retry(ctx, func(ctx context.Context) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS kitsune_schema (version INT NOT NULL)`); err != nil {
			return err
		}
		// One migrating gateway at a time.
		if _, err := tx.Exec(ctx, `LOCK TABLE kitsune_schema IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM kitsune_schema`).Scan(&v); err != nil {
			return err
		}
		for ; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM kitsune_schema`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kitsune_schema VALUES ($1)`, len(migrations)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("prepare the metadata store schema: %w", err)
	}
	return p, nil
}

// transient reports errors worth retrying: lost connections, serialization
// failures, deadlocks, a server starting or shutting down.
func transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006":
			return true
		}
		return false
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, pgx.ErrTxClosed)
}

func (p *postgres) retry(ctx context.Context, f func(ctx context.Context) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = f(ctx); err == nil || !transient(err) {
			return err
		}
		p.retried()
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
	return err
}

func (p *postgres) exec(ctx context.Context, sql string, args ...any) error {
	return p.retry(ctx, func(ctx context.Context) error {
		_, err := p.pool.Exec(ctx, sql, args...)
		return err
	})
}

func notFound(what, id string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return err
}

func (p *postgres) PutSession(ctx context.Context, s Session) error {
	return p.exec(ctx, `INSERT INTO kitsune_sessions VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
		ON CONFLICT (id) DO UPDATE SET usr=$2, owner=$3, engine_id=$4, engine_addr=$5, engine_key=$6, gateway=$7, protocol=$8, created=$9`,
		s.ID, s.User, s.Owner, s.EngineID, s.EngineAddr, s.EngineKey, s.Gateway, s.Protocol, s.Created)
}

func (p *postgres) GetSession(ctx context.Context, id string) (s Session, err error) {
	err = p.retry(ctx, func(ctx context.Context) error {
		return p.pool.QueryRow(ctx, `SELECT id, usr, owner, engine_id, engine_addr, engine_key, gateway, protocol, created
			FROM kitsune_sessions WHERE id = $1`, id).Scan(&s.ID, &s.User, &s.Owner, &s.EngineID, &s.EngineAddr, &s.EngineKey, &s.Gateway, &s.Protocol, &s.Created)
	})
	return s, notFound("session", id, err)
}

func (p *postgres) DeleteSession(ctx context.Context, id string) error {
	return p.exec(ctx, `DELETE FROM kitsune_sessions WHERE id = $1`, id)
}

func (p *postgres) PutOperation(ctx context.Context, o Operation) error {
	return p.exec(ctx, `INSERT INTO kitsune_operations VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE SET session_id=$2, created=$3`,
		o.ID, o.SessionID, o.Created)
}

func (p *postgres) GetOperation(ctx context.Context, id string) (o Operation, err error) {
	err = p.retry(ctx, func(ctx context.Context) error {
		return p.pool.QueryRow(ctx, `SELECT id, session_id, created FROM kitsune_operations WHERE id = $1`, id).Scan(&o.ID, &o.SessionID, &o.Created)
	})
	return o, notFound("operation", id, err)
}

func (p *postgres) RecordOperations(ctx context.Context, put []Operation, del []string) error {
	return p.retry(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		for _, o := range put {
			// A session closed meanwhile took its operations with it.
			b.Queue(`INSERT INTO kitsune_operations SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM kitsune_sessions WHERE id = $2)
				ON CONFLICT (id) DO UPDATE SET session_id=$2, created=$3`, o.ID, o.SessionID, o.Created)
		}
		for _, id := range del {
			b.Queue(`DELETE FROM kitsune_operations WHERE id = $1`, id)
		}
		tx, err := p.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

func (p *postgres) DeleteOperation(ctx context.Context, id string) error {
	return p.exec(ctx, `DELETE FROM kitsune_operations WHERE id = $1`, id)
}

func (p *postgres) PutEngine(ctx context.Context, e Engine) error {
	return p.exec(ctx, `INSERT INTO kitsune_engines VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
		ON CONFLICT (id) DO UPDATE SET key=$2, addr=$3, usr=$4, profile=$5, state=$6, gateway=$7, created=$8, updated=$9`,
		e.ID, e.Key, e.Addr, e.User, e.Profile, e.State, e.Gateway, e.Created, e.Updated)
}

func (p *postgres) Engines(ctx context.Context) ([]Engine, error) {
	var out []Engine
	err := p.retry(ctx, func(ctx context.Context) error {
		out = nil
		rows, err := p.pool.Query(ctx, `SELECT id, key, addr, usr, profile, state, gateway, created, updated FROM kitsune_engines ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e Engine
			if err := rows.Scan(&e.ID, &e.Key, &e.Addr, &e.User, &e.Profile, &e.State, &e.Gateway, &e.Created, &e.Updated); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func (p *postgres) DeleteEngine(ctx context.Context, id string) error {
	if err := p.exec(ctx, `DELETE FROM kitsune_sessions WHERE engine_id = $1`, id); err != nil {
		return err
	}
	return p.exec(ctx, `DELETE FROM kitsune_engines WHERE id = $1`, id)
}

func (p *postgres) CreateBatch(ctx context.Context, b Batch) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	var created bool
	err = p.retry(ctx, func(ctx context.Context) error {
		tag, err := p.pool.Exec(ctx, `INSERT INTO kitsune_batches VALUES ($1,$2) ON CONFLICT (id) DO NOTHING`, b.ID, body)
		created = err == nil && tag.RowsAffected() == 1
		return err
	})
	if err == nil && !created {
		return fmt.Errorf("batch %s: %w", b.ID, ErrExists)
	}
	return err
}

func (p *postgres) PutBatch(ctx context.Context, b Batch) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return p.exec(ctx, `INSERT INTO kitsune_batches VALUES ($1,$2) ON CONFLICT (id) DO UPDATE SET body=$2`, b.ID, body)
}

func (p *postgres) GetBatch(ctx context.Context, id string) (b Batch, err error) {
	err = p.retry(ctx, func(ctx context.Context) error {
		var body []byte
		if err := p.pool.QueryRow(ctx, `SELECT body FROM kitsune_batches WHERE id = $1`, id).Scan(&body); err != nil {
			return notFound("batch", id, err)
		}
		return json.Unmarshal(body, &b)
	})
	return b, err
}

func (p *postgres) Batches(ctx context.Context) ([]Batch, error) {
	var out []Batch
	err := p.retry(ctx, func(ctx context.Context) error {
		out = nil
		rows, err := p.pool.Query(ctx, `SELECT body FROM kitsune_batches ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body []byte
			var b Batch
			if err := rows.Scan(&body); err != nil {
				return err
			}
			if err := json.Unmarshal(body, &b); err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, err
}

func (p *postgres) Close() error {
	p.pool.Close()
	return nil
}
