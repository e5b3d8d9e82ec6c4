package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketSessions   = []byte("sessions")
	bucketOperations = []byte("operations")
	bucketEngines    = []byte("engines")
	bucketBatches    = []byte("batches")
)

type embedded struct{ db *bolt.DB }

var _ Store = (*embedded)(nil)

// OpenEmbedded opens (creating) the embedded store at path. One process at
// a time may hold it.
func OpenEmbedded(path string) (Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open the embedded metadata store %s (is another gateway using this work directory?): %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketOperations, bucketEngines, bucketBatches} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &embedded{db: db}, nil
}

func put(db *bolt.DB, bucket []byte, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put([]byte(id), b) })
}

func get(db *bolt.DB, bucket []byte, id string, v any) error {
	return db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket).Get([]byte(id))
		if b == nil {
			return fmt.Errorf("%s %s: %w", bucket, id, ErrNotFound)
		}
		return json.Unmarshal(b, v)
	})
}

func (e *embedded) PutSession(_ context.Context, s Session) error {
	return put(e.db, bucketSessions, s.ID, s)
}

func (e *embedded) GetSession(_ context.Context, id string) (s Session, err error) {
	err = get(e.db, bucketSessions, id, &s)
	return s, err
}

func (e *embedded) DeleteSession(_ context.Context, id string) error {
	return e.db.Update(func(tx *bolt.Tx) error { return deleteSession(tx, id) })
}

// deleteSession deletes session id and its operations within tx.
func deleteSession(tx *bolt.Tx, id string) error {
	ops := tx.Bucket(bucketOperations)
	var gone [][]byte
	_ = ops.ForEach(func(k, v []byte) error {
		var o Operation
		if json.Unmarshal(v, &o) == nil && o.SessionID == id {
			gone = append(gone, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range gone {
		if err := ops.Delete(k); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketSessions).Delete([]byte(id))
}

func (e *embedded) PutOperation(_ context.Context, o Operation) error {
	return put(e.db, bucketOperations, o.ID, o)
}

func (e *embedded) GetOperation(_ context.Context, id string) (o Operation, err error) {
	err = get(e.db, bucketOperations, id, &o)
	return o, err
}

func (e *embedded) DeleteOperation(_ context.Context, id string) error {
	return e.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOperations).Delete([]byte(id)) })
}

func (e *embedded) RecordOperations(_ context.Context, put []Operation, del []string) error {
	return e.db.Update(func(tx *bolt.Tx) error {
		ops, sessions := tx.Bucket(bucketOperations), tx.Bucket(bucketSessions)
		for _, o := range put {
			if sessions.Get([]byte(o.SessionID)) == nil {
				continue
			}
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := ops.Put([]byte(o.ID), b); err != nil {
				return err
			}
		}
		for _, id := range del {
			if err := ops.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *embedded) PutEngine(_ context.Context, en Engine) error {
	return put(e.db, bucketEngines, en.ID, en)
}

func (e *embedded) Engines(context.Context) ([]Engine, error) {
	var out []Engine
	err := e.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEngines).ForEach(func(_, v []byte) error {
			var en Engine
			if err := json.Unmarshal(v, &en); err != nil {
				return err
			}
			out = append(out, en)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func (e *embedded) DeleteEngine(_ context.Context, id string) error {
	return e.db.Update(func(tx *bolt.Tx) error {
		var served []string
		_ = tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var s Session
			if json.Unmarshal(v, &s) == nil && s.EngineID == id {
				served = append(served, string(k))
			}
			return nil
		})
		for _, sid := range served {
			if err := deleteSession(tx, sid); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketEngines).Delete([]byte(id))
	})
}

func (e *embedded) Close() error { return e.db.Close() }

func (e *embedded) CreateBatch(_ context.Context, b Batch) error {
	v, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return e.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBatches)
		if bk.Get([]byte(b.ID)) != nil {
			return fmt.Errorf("batch %s: %w", b.ID, ErrExists)
		}
		return bk.Put([]byte(b.ID), v)
	})
}

func (e *embedded) PutBatch(_ context.Context, b Batch) error {
	return put(e.db, bucketBatches, b.ID, b)
}

func (e *embedded) GetBatch(_ context.Context, id string) (b Batch, err error) {
	err = get(e.db, bucketBatches, id, &b)
	return b, err
}

func (e *embedded) Batches(context.Context) ([]Batch, error) {
	var out []Batch
	err := e.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBatches).ForEach(func(_, v []byte) error {
			var b Batch
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}
