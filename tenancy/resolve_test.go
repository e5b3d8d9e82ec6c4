package tenancy

import (
	"errors"
	"strings"
	"testing"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// fixedChooser always picks member n, so decisions are repeatable.
type fixedChooser struct{ n int }

func (f fixedChooser) Member(_, _ string, size int, _ string) int { return f.n % size }

func resolver(t *testing.T, settings map[string]string, pinned bool) *Resolver {
	t.Helper()
	cfg, err := conf.FromMap(settings)
	if err != nil {
		t.Fatal(err)
	}
	return NewResolver(Config{Settings: cfg, EngineType: "DUCKDB", ServerUser: "kitsune", Pinned: pinned},
		fixedChooser{n: 1}, func() string { return "conn-1" })
}

func TestResolveDecisions(t *testing.T) {
	for _, c := range []struct {
		name     string
		settings map[string]string
		pinned   bool
		user     string
		groups   []string
		confs    map[string]string
		want     string // the key's String
		database string
	}{
		{"user level by default", nil, false, "alice", []string{"staff"}, nil, "USER_DUCKDB/alice/default", "default"},
		{"group level routes by the primary group", map[string]string{"kitsune.engine.share.level": "GROUP"}, false,
			"alice", []string{"etl", "staff"}, nil, "GROUP_DUCKDB/etl/default", "default"},
		{"server level routes by the server user", nil, false, "alice", nil,
			map[string]string{"kitsune.engine.share.level": "SERVER"}, "SERVER_DUCKDB/kitsune/default", "default"},
		{"connection level gets an engine of its own", nil, false, "alice", nil,
			map[string]string{"set:hiveconf:kyuubi.engine.share.level": "connection"}, "CONNECTION_DUCKDB/alice/conn-1", "default"},
		{"subdomain lower-cased", nil, false, "alice", nil,
			map[string]string{"kitsune.engine.share.level.subdomain": "Nightly"}, "USER_DUCKDB/alice/nightly", "default"},
		{"pool member from the chooser", nil, false, "alice", nil,
			map[string]string{"kitsune.engine.pool.size": "3", "kitsune.engine.pool.name": "adhoc"}, "USER_DUCKDB/alice/adhoc-1", "default"},
		{"profile is part of the key", nil, false, "alice", nil,
			map[string]string{"kitsune.engine.cores": "2", "spark.executor.memory": "1g", "kitsune.engine.queue": "etl"},
			"USER_DUCKDB/alice/default[queue=etl,cores=2,memory=1g]", "default"},
		{"kitsune key wins over the Spark one", nil, false, "alice", nil,
			map[string]string{"kitsune.engine.memory": "2g", "spark.executor.memory": "1g"}, "USER_DUCKDB/alice/default[memory=2g]", "default"},
		{"user default below the session", map[string]string{"___alice___.kitsune.engine.cores": "4"}, false, "alice", nil,
			map[string]string{"kitsune.engine.cores": "2"}, "USER_DUCKDB/alice/default[cores=2]", "default"},
		{"group default applies", map[string]string{"___group:etl___.kitsune.engine.queue": "etl"}, false, "bob", []string{"etl"},
			nil, "USER_DUCKDB/bob/default[queue=etl]", "default"},
		{"pinned key has no profile", nil, true, "alice", nil,
			map[string]string{"kitsune.engine.cores": "2"}, "USER_DUCKDB/alice/default", "default"},
		{"ignored conf does not apply", map[string]string{"kitsune.session.conf.ignore.list": "kitsune.engine.cores"}, false, "alice", nil,
			map[string]string{"kitsune.engine.cores": "2"}, "USER_DUCKDB/alice/default", "default"},
		{"database travels in the spec", nil, false, "alice", nil,
			map[string]string{"use:database": "sales"}, "USER_DUCKDB/alice/default", "sales"},
		{"maximum not exceeded", map[string]string{"kitsune.engine.max.cores": "4"}, false, "alice", nil,
			map[string]string{"kitsune.engine.cores": "4"}, "USER_DUCKDB/alice/default[cores=4]", "default"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := resolver(t, c.settings, c.pinned).Resolve(Request{User: c.user, Groups: c.groups, Confs: c.confs})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Key.String(); got != c.want {
				t.Errorf("key %s, want %s", got, c.want)
			}
			if got := d.Spec.Confs["use:database"]; got != c.database {
				t.Errorf("database %q, want %q", got, c.database)
			}
			if back, err := ParseKey(d.Key.String()); err != nil || back != d.Key {
				t.Errorf("ParseKey(%s) = %+v, %v", d.Key, back, err)
			}
		})
	}
}

func TestResolveRefusals(t *testing.T) {
	for _, c := range []struct {
		name     string
		settings map[string]string
		groups   []string
		confs    map[string]string
		code     int32
	}{
		{"restricted key", map[string]string{"kitsune.session.conf.restrict.list": "kitsune.engine.queue"}, nil,
			map[string]string{"kitsune.engine.queue": "etl"}, status.CodeConfRestricted},
		{"restricted under its kyuubi name", map[string]string{"kitsune.session.conf.restrict.list": "kyuubi.engine.queue"}, nil,
			map[string]string{"set:hiveconf:kyuubi.engine.queue": "etl"}, status.CodeConfRestricted},
		{"unknown kitsune key", nil, nil, map[string]string{"kitsune.engine.coers": "2"}, status.CodeConfUnknown},
		{"server setting per session", nil, nil, map[string]string{"kitsune.frontend.bind.host": "0.0.0.0"}, status.CodeConfServerScope},
		{"bad share level", nil, nil, map[string]string{"kitsune.engine.share.level": "TEAM"}, status.CodeConfInvalid},
		{"bad subdomain", nil, nil, map[string]string{"kitsune.engine.share.level.subdomain": "../etc"}, status.CodeConfInvalid},
		{"bad cores", nil, nil, map[string]string{"spark.executor.cores": "many"}, status.CodeConfInvalid},
		{"bad memory", nil, nil, map[string]string{"kitsune.engine.memory": "lots"}, status.CodeConfInvalid},
		{"bad pool policy", nil, nil, map[string]string{"kitsune.engine.pool.size": "2", "kitsune.engine.pool.selectPolicy": "FIRST"}, status.CodeConfInvalid},
		{"pool above its threshold", nil, nil, map[string]string{"kitsune.engine.pool.size": "1000"}, status.CodeAboveMaximum},
		{"cores above the server maximum", map[string]string{"kitsune.engine.max.cores": "2"}, nil,
			map[string]string{"kitsune.engine.cores": "3"}, status.CodeAboveMaximum},
		{"memory above the group maximum", map[string]string{"___group:etl___.kitsune.engine.max.memory": "1g"}, []string{"etl"},
			map[string]string{"kitsune.engine.memory": "2g"}, status.CodeAboveMaximum},
		{"group level without a group", map[string]string{"kitsune.engine.share.level": "GROUP"}, nil, nil, status.CodeNoGroup},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := resolver(t, c.settings, false).Resolve(Request{User: "alice", Groups: c.groups, Confs: c.confs})
			var se *status.Error
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a refusal with code %d", err, c.code)
			}
			if se.Code != c.code || se.SQLState != status.StateInvalidConf {
				t.Errorf("code %d sqlstate %s (%s), want %d 42000", se.Code, se.SQLState, se.Message, c.code)
			}
		})
	}
}

func TestPinnedWarnings(t *testing.T) {
	d, err := resolver(t, nil, true).Resolve(Request{User: "alice", Confs: map[string]string{"kitsune.engine.cores": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if w := d.Warnings(conf.Profile{Cores: 2}); len(w) != 0 {
		t.Errorf("warned although the engine has the profile asked for: %v", w)
	}
	w := d.Warnings(conf.Profile{Cores: 1})
	if len(w) != 1 || !strings.Contains(w[0], "cores=2") || !strings.Contains(w[0], "[cores=1]") {
		t.Errorf("warnings %v", w)
	}
	if w := (Decision{Spec: Spec{Profile: conf.Profile{Cores: 2}}}).Warnings(conf.Profile{}); len(w) != 0 {
		t.Errorf("an unpinned decision warned: %v", w)
	}
}

func TestPoolChooserPolling(t *testing.T) {
	c := NewPoolChooser()
	var got []int
	for range 4 {
		got = append(got, c.Member("alice", "p", 3, "POLLING"))
	}
	if want := []int{0, 1, 2, 0}; !equal(got, want) {
		t.Errorf("polling %v, want %v", got, want)
	}
	if n := c.Member("bob", "p", 3, "POLLING"); n != 0 {
		t.Errorf("another tenant's round starts at %d", n)
	}
	for range 20 {
		if n := c.Member("alice", "p", 3, "RANDOM"); n < 0 || n >= 3 {
			t.Fatalf("random member %d out of range", n)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
