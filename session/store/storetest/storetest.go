// Package storetest is the conformance suite every metadata store backend
// passes.
package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/session/store"
)

// Run runs the suite against s.
func Run(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	sess := store.Session{ID: "s1", User: "bob", Owner: "svc", EngineID: "e1", EngineAddr: "127.0.0.1:5000",
		EngineKey: "USER_DUCKDB/bob/default", Gateway: "gw1:10009", Protocol: 9, Created: now}
	if err := s.PutSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(ctx, "s1")
	if err != nil || got.User != "bob" || got.Owner != "svc" || got.EngineAddr != "127.0.0.1:5000" || got.Protocol != 9 || !got.Created.Equal(now) {
		t.Errorf("get session: %+v %v", got, err)
	}
	sess.EngineAddr = "127.0.0.1:6000"
	if err := s.PutSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.GetSession(ctx, "s1"); got.EngineAddr != "127.0.0.1:6000" {
		t.Errorf("put did not overwrite: %+v", got)
	}
	if _, err := s.GetSession(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	for _, id := range []string{"o1", "o2"} {
		if err := s.PutOperation(ctx, store.Operation{ID: id, SessionID: "s1", Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	if o, err := s.GetOperation(ctx, "o1"); err != nil || o.SessionID != "s1" {
		t.Errorf("get operation: %+v %v", o, err)
	}
	if err := s.DeleteOperation(ctx, "o1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOperation(ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted operation: %v", err)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOperation(ctx, "o2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("operation outlived its session: %v", err)
	}
	for _, id := range []string{"e2", "e1"} {
		if err := s.PutEngine(ctx, store.Engine{ID: id, Key: "k", Addr: "a", User: "bob", State: "RUNNING", Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.Engines(ctx)
	if err != nil || len(es) != 2 || es[0].ID != "e1" || es[1].State != "RUNNING" {
		t.Errorf("engines: %+v %v", es, err)
	}
	// Forgetting an engine forgets the sessions it served and their
	// operations; another engine's sessions stay.
	for _, ss := range []store.Session{{ID: "s2", EngineID: "e1"}, {ID: "s3", EngineID: "e2"}} {
		ss.Created = now
		if err := s.PutSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutOperation(ctx, store.Operation{ID: "o3", SessionID: "s2", Created: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEngine(ctx, "e1"); err != nil {
		t.Fatal(err)
	}
	if es, _ = s.Engines(ctx); len(es) != 1 {
		t.Errorf("after delete: %+v", es)
	}
	if _, err := s.GetSession(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session outlived its engine's record: %v", err)
	}
	if _, err := s.GetOperation(ctx, "o3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an operation outlived its engine's record: %v", err)
	}
	if _, err := s.GetSession(ctx, "s3"); err != nil {
		t.Errorf("another engine's session was deleted: %v", err)
	}
	recordOperations(t, s, now)
	batches(t, s, now)
}

// batches: a batch is created once, overwritten, listed and read back
// whole. Its ids are fresh, so the suite runs again on a store that
// keeps its data.
func batches(t *testing.T, s store.Store, now time.Time) {
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	b2, b1 := "b2-"+run, "b1-"+run
	b := store.Batch{ID: b2, User: "ann", Type: "SPARK", Name: "etl", Resource: "/jobs/etl.jar", Class: "Etl",
		Conf: map[string]string{"spark.master": "yarn"}, Args: []string{"--day", "1"}, State: "PENDING", Gateway: "gw1:10099", Created: now}
	if err := s.CreateBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBatch(ctx, b); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second CreateBatch of one id: %v, want ErrExists", err)
	}
	b.State, b.AppID, b.PID = "RUNNING", "application_1_0001", 42
	if err := s.PutBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBatch(ctx, store.Batch{ID: b1, User: "bob", State: "FINISHED", Created: now, Ended: now}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetBatch(ctx, b2)
	if err != nil || got.State != "RUNNING" || got.AppID != "application_1_0001" || got.PID != 42 || got.Conf["spark.master"] != "yarn" ||
		len(got.Args) != 2 || !got.Created.Equal(now) {
		t.Errorf("get batch: %+v %v", got, err)
	}
	if _, err := s.GetBatch(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown batch: %v", err)
	}
	all, err := s.Batches(ctx)
	found := 0
	for _, x := range all {
		if x.ID == b1 || x.ID == b2 {
			found++
		}
	}
	if err != nil || found != 2 {
		t.Errorf("batches: %d of this run's 2 in %+v %v", found, all, err)
	}
}

// recordOperations: puts and deletes in one write; an operation of a
// session no longer recorded is skipped, and the rest of the write stands.
func recordOperations(t *testing.T, s store.Store, now time.Time) {
	ctx := context.Background()
	if err := s.PutOperation(ctx, store.Operation{ID: "o9", SessionID: "s3", Created: now}); err != nil {
		t.Fatal(err)
	}
	put := []store.Operation{{ID: "o10", SessionID: "s3", Created: now}, {ID: "o11", SessionID: "gone", Created: now}}
	if err := s.RecordOperations(ctx, put, []string{"o9"}); err != nil {
		t.Fatalf("record operations: %v", err)
	}
	if o, err := s.GetOperation(ctx, "o10"); err != nil || o.SessionID != "s3" {
		t.Errorf("recorded operation: %+v %v", o, err)
	}
	if _, err := s.GetOperation(ctx, "o11"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an operation of a session not recorded was written: %v", err)
	}
	if _, err := s.GetOperation(ctx, "o9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted operation is still there: %v", err)
	}
	if err := s.RecordOperations(ctx, nil, nil); err != nil {
		t.Errorf("an empty write: %v", err)
	}
}
