package tenancy

import (
	"testing"

	"github.com/kitsune-sql/kitsune/conf"
)

func TestSpacePaths(t *testing.T) {
	sp := Spaces{Namespace: "kitsune", Version: "0.1.0"}
	for _, c := range []struct {
		key        Key
		path, lock string
	}{
		{Key{Type: "DUCKDB", ShareLevel: "USER", User: "ann", Subdomain: "default"},
			"/kitsune_0.1.0_USER_DUCKDB/ann/default", "/kitsune_0.1.0_USER_DUCKDB_lock/ann/default"},
		{Key{Type: "SPARK_SQL", ShareLevel: "GROUP", User: "etl", Subdomain: "nightly", Profile: conf.Profile{Queue: "etl", Memory: 4 << 30}},
			"/kitsune_0.1.0_GROUP_SPARK_SQL/etl/nightly[queue=etl,memory=4g]", "/kitsune_0.1.0_GROUP_SPARK_SQL_lock/etl/nightly[queue=etl,memory=4g]"},
	} {
		if got := sp.Path(c.key); got != c.path {
			t.Errorf("Path = %s, want %s", got, c.path)
		}
		if got := sp.LockPath(c.key); got != c.lock {
			t.Errorf("LockPath = %s, want %s", got, c.lock)
		}
		if back, err := sp.Parse(c.path); err != nil || back != c.key {
			t.Errorf("Parse(%s) = %+v, %v; want %+v", c.path, back, err, c.key)
		}
	}
}

// ParseRoot used to be a hand-written split in ctl, which read a SPARK_SQL
// root as share level "SPARK" and took kitsune_http's roots for kitsune's.
func TestParseRoot(t *testing.T) {
	sp := Spaces{Namespace: "kitsune"}
	for _, c := range []struct {
		name string
		want Root
		ok   bool
	}{
		{"kitsune_0.1.0_USER_DUCKDB", Root{Version: "0.1.0", ShareLevel: "USER", Type: "DUCKDB"}, true},
		{"kitsune_0.1.0_USER_SPARK_SQL", Root{Version: "0.1.0", ShareLevel: "USER", Type: "SPARK_SQL"}, true},
		{"kitsune_1.2.0-dev_CONNECTION_SPARK_SQL", Root{Version: "1.2.0-dev", ShareLevel: "CONNECTION", Type: "SPARK_SQL"}, true},
		{"kitsune_http_0.1.0_USER_DUCKDB", Root{}, false},
		{"kitsune_0.1.0_USER_DUCKDB_lock", Root{}, false},
		{"kitsune_secret", Root{}, false},
		{"kitsune_cookie_key", Root{}, false},
		{"kitsune", Root{}, false},
		{"other_0.1.0_USER_DUCKDB", Root{}, false},
		{"kitsune_0.1.0_TEAM_DUCKDB", Root{}, false},
	} {
		got, ok := sp.ParseRoot(c.name)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseRoot(%s) = %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if _, ok := (Spaces{Namespace: "kitsune_http"}).ParseRoot("kitsune_http_0.1.0_USER_DUCKDB"); !ok {
		t.Error("kitsune_http's own root not recognised")
	}
}

func TestParseKeyRefusals(t *testing.T) {
	for _, bad := range []string{"", "USER_DUCKDB/ann", "DUCKDB/ann/default", "USER_DUCKDB/ann/default[cores=x]", "USER_DUCKDB/ann/default[cores=2", "USER_DUCKDB/ann/default[speed=9]"} {
		if k, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", bad, k)
		}
	}
	if _, err := (Spaces{Namespace: "kitsune"}).Parse("/kitsune_http_0.1.0_USER_DUCKDB/ann/default"); err == nil {
		t.Error("Parse accepted another namespace's space")
	}
}
