package discovery_test

import (
	"context"
	"testing"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/memory"
	"github.com/kitsune-sql/kitsune/tenancy"
)

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	s := memory.NewStore()
	c := s.Conn()
	r := discovery.NewRegistry(c, "kitsune")
	spaces := tenancy.Spaces{Namespace: "kitsune", Version: "0.1.0"}
	key := tenancy.Key{ShareLevel: "user", Type: "duckdb", User: "ann", Subdomain: "default"}
	space := spaces.Path(key)
	if space != "/kitsune_0.1.0_USER_DUCKDB/ann/default" || spaces.LockPath(key) != "/kitsune_0.1.0_USER_DUCKDB_lock/ann/default" {
		t.Errorf("space %s lock %s", space, spaces.LockPath(key))
	}
	if _, err := r.RegisterEngine(ctx, space, "127.0.0.1:5000", "0.1.0", "e1"); err != nil {
		t.Fatal(err)
	}
	es, err := r.Engines(ctx, space)
	if err != nil || len(es) != 1 || es[0].Addr != "127.0.0.1:5000" || es[0].RefID != "e1" {
		t.Errorf("engines %+v %v", es, err)
	}
	if _, err := r.RegisterServer(ctx, "gw1", 10009, "0.1.0", "gw1:10009"); err != nil {
		t.Fatal(err)
	}
	servers, _ := r.Servers(ctx)
	if len(servers) != 1 || servers[0].Addr() != "gw1:10009" {
		t.Errorf("servers %+v", servers)
	}
	a, _ := r.Secret(ctx, "first")
	b, _ := discovery.NewRegistry(s.Conn(), "kitsune").Secret(ctx, "second")
	if a != "first" || b != "first" {
		t.Errorf("secrets %q %q: the first gateway's must win", a, b)
	}
	c.Close()
	if es, _ := discovery.NewRegistry(s.Conn(), "kitsune").Engines(ctx, space); len(es) != 0 {
		t.Errorf("engine registration outlived its session: %+v", es)
	}
}
