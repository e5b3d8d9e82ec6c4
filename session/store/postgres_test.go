//go:build e2e

package store_test

import (
	"context"
	"testing"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/session/store/storetest"
)

// TestPostgres runs the suite against a real PostgreSQL, twice on one
// database: the second open finds the schema in place.
func TestPostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	for i := 0; i < 2; i++ {
		s, err := store.OpenPostgres(context.Background(), pg.URL)
		if err != nil {
			t.Fatal(err)
		}
		storetest.Run(t, s)
		_ = s.DeleteEngine(context.Background(), "e2")
		s.Close()
	}
	if _, err := store.OpenPostgres(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("opened a store with no server")
	}
}
