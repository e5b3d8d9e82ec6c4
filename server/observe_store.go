package server

import (
	"context"
	"errors"

	"github.com/kitsune-sql/kitsune/session/store"
)

// observedStore counts the metadata store's calls and failures for the
// metrics, around any backend.
type observedStore struct {
	store.Store
	obs *observer
}

var _ store.Store = observedStore{}

func (s observedStore) count(call string, err error) error {
	s.obs.m.StoreCall(call, err)
	return err
}

func (s observedStore) PutSession(ctx context.Context, r store.Session) error {
	return s.count("PutSession", s.Store.PutSession(ctx, r))
}

func (s observedStore) GetSession(ctx context.Context, id string) (store.Session, error) {
	r, err := s.Store.GetSession(ctx, id)
	s.count("GetSession", notFoundIsAnswer(err))
	return r, err
}

func (s observedStore) DeleteSession(ctx context.Context, id string) error {
	return s.count("DeleteSession", s.Store.DeleteSession(ctx, id))
}

func (s observedStore) PutOperation(ctx context.Context, o store.Operation) error {
	return s.count("PutOperation", s.Store.PutOperation(ctx, o))
}

func (s observedStore) GetOperation(ctx context.Context, id string) (store.Operation, error) {
	o, err := s.Store.GetOperation(ctx, id)
	s.count("GetOperation", notFoundIsAnswer(err))
	return o, err
}

func (s observedStore) DeleteOperation(ctx context.Context, id string) error {
	return s.count("DeleteOperation", s.Store.DeleteOperation(ctx, id))
}

func (s observedStore) RecordOperations(ctx context.Context, put []store.Operation, del []string) error {
	return s.count("RecordOperations", s.Store.RecordOperations(ctx, put, del))
}

func (s observedStore) PutEngine(ctx context.Context, e store.Engine) error {
	return s.count("PutEngine", s.Store.PutEngine(ctx, e))
}

func (s observedStore) Engines(ctx context.Context) ([]store.Engine, error) {
	es, err := s.Store.Engines(ctx)
	return es, s.count("Engines", err)
}

func (s observedStore) DeleteEngine(ctx context.Context, id string) error {
	return s.count("DeleteEngine", s.Store.DeleteEngine(ctx, id))
}

func (s observedStore) CreateBatch(ctx context.Context, b store.Batch) error {
	err := s.Store.CreateBatch(ctx, b)
	if errors.Is(err, store.ErrExists) {
		s.count("CreateBatch", nil) // an answer, not a failure
		return err
	}
	return s.count("CreateBatch", err)
}

func (s observedStore) PutBatch(ctx context.Context, b store.Batch) error {
	return s.count("PutBatch", s.Store.PutBatch(ctx, b))
}

func (s observedStore) GetBatch(ctx context.Context, id string) (store.Batch, error) {
	b, err := s.Store.GetBatch(ctx, id)
	s.count("GetBatch", notFoundIsAnswer(err))
	return b, err
}

func (s observedStore) Batches(ctx context.Context) ([]store.Batch, error) {
	bs, err := s.Store.Batches(ctx)
	return bs, s.count("Batches", err)
}

// notFoundIsAnswer: "not found" is an answer, not a failure of the store.
func notFoundIsAnswer(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
