// Package memstore is the metadata store's in-memory twin, for unit tests:
// it passes the same conformance suite (storetest) as the embedded and
// PostgreSQL stores, and can be made to fail as an unreachable store does.
package memstore

import (
	"context"
	"sort"
	"sync"

	"github.com/kitsune-sql/kitsune/session/store"
)

// Store is an in-memory store.Store.
type Store struct {
	mu       sync.Mutex
	down     error
	sessions map[string]store.Session
	ops      map[string]store.Operation
	engines  map[string]store.Engine
	batches  map[string]store.Batch
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{sessions: map[string]store.Session{}, ops: map[string]store.Operation{}, engines: map[string]store.Engine{}, batches: map[string]store.Batch{}}
}

// SetDown makes every call fail with err (nil: the store is back).
func (s *Store) SetDown(err error) {
	s.mu.Lock()
	s.down = err
	s.mu.Unlock()
}

// lock takes the store's lock unless ctx ended or the store is down.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.down != nil {
		err := s.down
		s.mu.Unlock()
		return err
	}
	return nil
}

// PutSession implements store.Store.
func (s *Store) PutSession(ctx context.Context, rec store.Session) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.sessions[rec.ID] = rec
	return nil
}

// GetSession implements store.Store.
func (s *Store) GetSession(ctx context.Context, id string) (store.Session, error) {
	if err := s.lock(ctx); err != nil {
		return store.Session{}, err
	}
	defer s.mu.Unlock()
	rec, ok := s.sessions[id]
	if !ok {
		return store.Session{}, store.ErrNotFound
	}
	return rec, nil
}

// DeleteSession implements store.Store.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.deleteSession(id)
	return nil
}

func (s *Store) deleteSession(id string) {
	for oid, o := range s.ops {
		if o.SessionID == id {
			delete(s.ops, oid)
		}
	}
	delete(s.sessions, id)
}

// PutOperation implements store.Store.
func (s *Store) PutOperation(ctx context.Context, o store.Operation) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.ops[o.ID] = o
	return nil
}

// GetOperation implements store.Store.
func (s *Store) GetOperation(ctx context.Context, id string) (store.Operation, error) {
	if err := s.lock(ctx); err != nil {
		return store.Operation{}, err
	}
	defer s.mu.Unlock()
	o, ok := s.ops[id]
	if !ok {
		return store.Operation{}, store.ErrNotFound
	}
	return o, nil
}

// DeleteOperation implements store.Store.
func (s *Store) DeleteOperation(ctx context.Context, id string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.ops, id)
	return nil
}

// RecordOperations implements store.Store.
func (s *Store) RecordOperations(ctx context.Context, put []store.Operation, del []string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, o := range put {
		if _, ok := s.sessions[o.SessionID]; ok {
			s.ops[o.ID] = o
		}
	}
	for _, id := range del {
		delete(s.ops, id)
	}
	return nil
}

// PutEngine implements store.Store.
func (s *Store) PutEngine(ctx context.Context, e store.Engine) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.engines[e.ID] = e
	return nil
}

// Engines implements store.Store.
func (s *Store) Engines(ctx context.Context) ([]store.Engine, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]store.Engine, 0, len(s.engines))
	for _, e := range s.engines {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DeleteEngine implements store.Store.
func (s *Store) DeleteEngine(ctx context.Context, id string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for sid, rec := range s.sessions {
		if rec.EngineID == id {
			s.deleteSession(sid)
		}
	}
	delete(s.engines, id)
	return nil
}

// CreateBatch implements store.Store.
func (s *Store) CreateBatch(ctx context.Context, b store.Batch) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.batches[b.ID]; ok {
		return store.ErrExists
	}
	s.batches[b.ID] = b
	return nil
}

// PutBatch implements store.Store.
func (s *Store) PutBatch(ctx context.Context, b store.Batch) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.batches[b.ID] = b
	return nil
}

// GetBatch implements store.Store.
func (s *Store) GetBatch(ctx context.Context, id string) (store.Batch, error) {
	if err := s.lock(ctx); err != nil {
		return store.Batch{}, err
	}
	defer s.mu.Unlock()
	b, ok := s.batches[id]
	if !ok {
		return store.Batch{}, store.ErrNotFound
	}
	return b, nil
}

// Batches implements store.Store.
func (s *Store) Batches(ctx context.Context) ([]store.Batch, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := make([]store.Batch, 0, len(s.batches))
	for _, b := range s.batches {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Close implements store.Store.
func (s *Store) Close() error { return nil }
