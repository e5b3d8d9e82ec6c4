package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/session/store/storetest"
)

func TestEmbedded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metadata.db")
	s, err := store.OpenEmbedded(path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, s)
	s.Close()
	// Data survives a restart.
	s, err = store.OpenEmbedded(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if es, _ := s.Engines(context.Background()); len(es) != 1 {
		t.Errorf("after reopening: %+v", es)
	}
}
