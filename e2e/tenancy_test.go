//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beltran/gohive"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// gohiveConf connects gohive with session confs (as in a JDBC URL's ?part).
func (g *gateway) gohiveConf(t *testing.T, user string, confs map[string]string) (*gohive.Connection, error) {
	t.Helper()
	cfg := gohive.NewConnectConfiguration()
	cfg.Username, cfg.Password = user, "x"
	cfg.HiveConfiguration = confs
	host, port := hostPort(t, g.binAddr)
	conn, err := gohive.Connect(host, port, "NONE", cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, err
}

// openWith opens a session with kitsune's client and returns the response.
func (g *gateway) openWith(t *testing.T, user string, confs map[string]string) (*client.Client, *tcli.TOpenSessionResp) {
	t.Helper()
	c := g.native(t, user)
	resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Configuration: confs})
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

func one(t *testing.T, conn *gohive.Connection, q string) string {
	t.Helper()
	rows, desc := query(t, conn, q)
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", q)
	}
	return fmt.Sprint(rows[0][desc[len(desc)-1][0]])
}

func TestShareLevels(t *testing.T) {
	mapping := filepath.Join(t.TempDir(), "groups")
	_ = os.WriteFile(mapping, []byte("alice=analysts,staff\nbob=analysts\ncarol=finance\n"), 0o644)
	g := startGateway(t, "kitsune.session.group.mapping="+mapping)
	id := func(user string, confs map[string]string) string {
		c, resp := g.openWith(t, user, confs)
		if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("%s %v: %s", user, confs, resp.Status.GetErrorMessage())
		}
		t.Cleanup(func() {
			c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: resp.SessionHandle})
		})
		return resp.Configuration["kitsune.engine.id"]
	}
	lvl := func(l string) map[string]string {
		return map[string]string{"set:hiveconf:kitsune.engine.share.level": l}
	}
	// GROUP: alice and bob share analysts' engine, carol has finance's.
	if a, b, c := id("alice", lvl("GROUP")), id("bob", lvl("GROUP")), id("carol", lvl("GROUP")); a != b || a == c {
		t.Errorf("GROUP engines: alice %s bob %s carol %s", a, b, c)
	}
	// SERVER: everybody shares one.
	if a, b := id("alice", lvl("SERVER")), id("dave", map[string]string{"kyuubi.engine.share.level": "SERVER"}); a != b {
		t.Errorf("SERVER engines differ: %s %s", a, b)
	}
	// Subdomains split a user's engines.
	sub := func(s string) map[string]string {
		return map[string]string{"set:hiveconf:kitsune.engine.share.level.subdomain": s}
	}
	if d, e1, e2 := id("erin", nil), id("erin", sub("ETL")), id("erin", sub("etl")); d == e1 || e1 != e2 {
		t.Errorf("subdomains: default %s, ETL %s, etl %s", d, e1, e2)
	}
	if _, resp := g.openWith(t, "erin", sub("no/slash")); resp.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS ||
		!strings.Contains(resp.Status.GetErrorMessage(), "kitsune.engine.share.level.subdomain") {
		t.Errorf("bad subdomain: %v", resp.Status)
	}
	// CONNECTION: one engine per session, stopped when it closes.
	c1, r1 := g.openWith(t, "frank", lvl("CONNECTION"))
	_, r2 := g.openWith(t, "frank", lvl("CONNECTION"))
	e1, e2 := r1.Configuration["kitsune.engine.id"], r2.Configuration["kitsune.engine.id"]
	if e1 == e2 {
		t.Fatalf("two CONNECTION sessions share engine %s", e1)
	}
	if enginePID(g.workDir, e1) == 0 {
		t.Fatal("no process for the CONNECTION engine")
	}
	c1.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: r1.SessionHandle})
	deadline := time.Now().Add(15 * time.Second)
	for enginePID(g.workDir, e1) != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if enginePID(g.workDir, e1) != 0 {
		t.Error("CONNECTION engine still running after its session closed")
	}
}

func TestProfilesAreEnforcedAndPartOfIdentity(t *testing.T) {
	g := startGateway(t, "___grace___.kitsune.engine.memory=300m", "___grace___.kitsune.engine.cores=1")
	// Per-user defaults apply.
	conn := g.gohive(t, "grace", "NONE", false)
	if v := one(t, conn, "SELECT current_setting('memory_limit') AS m"); v != "300.0 MiB" {
		t.Errorf("grace's memory_limit = %s, want 300.0 MiB", v)
	}
	if v := one(t, conn, "SELECT current_setting('threads') AS t"); v != "1" {
		t.Errorf("grace's threads = %s", v)
	}
	defaultID := one(t, conn, "SET kitsune.engine.id")
	if runtime.NumCPU() > 1 {
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", enginePID(g.workDir, defaultID)))
		m := regexp.MustCompile(`Cpus_allowed_list:\s*(\S+)`).FindSubmatch(st)
		if m == nil || strings.ContainsAny(string(m[1]), ",-") {
			t.Errorf("engine with cores=1 may run on CPUs %q", m)
		}
	}
	// The session's own confs win, Spark's names work, and another profile
	// is another engine.
	big, err := g.gohiveConf(t, "grace", map[string]string{"spark.executor.memory": "700m", "spark.executor.cores": "2"})
	if err != nil {
		t.Fatal(err)
	}
	if v := one(t, big, "SELECT current_setting('memory_limit') AS m"); v != "700.0 MiB" {
		t.Errorf("spark.executor.memory=700m gave memory_limit %s", v)
	}
	if v := one(t, big, "SELECT current_setting('threads') AS t"); v != "2" {
		t.Errorf("spark.executor.cores=2 gave threads %s", v)
	}
	if id := one(t, big, "SET kitsune.engine.id"); id == defaultID {
		t.Error("a session with another profile shares the engine")
	}
}

func TestAdminLimitsAndLists(t *testing.T) {
	g := startGateway(t,
		"kitsune.session.conf.restrict.list=spark.driver.extraJavaOptions,kitsune.engine.queue",
		"kitsune.session.conf.ignore.list=spark.ui.enabled",
		"kitsune.engine.max.memory=2g",
		"___henry___.kitsune.engine.max.memory=512m",
		"___group:interns___.kitsune.engine.max.cores=1",
		"kitsune.session.group.mapping="+writeFile(t, "ivy=interns\n"))
	for _, tc := range []struct {
		user  string
		confs map[string]string
		want  string
		code  int32
	}{
		{"henry", map[string]string{"set:hiveconf:spark.driver.extraJavaOptions": "-Dx"}, "spark.driver.extraJavaOptions is restricted by the administrator (kitsune.session.conf.restrict.list)", status.CodeConfRestricted},
		{"henry", map[string]string{"kyuubi.engine.queue": "prod"}, "kitsune.engine.queue is restricted", status.CodeConfRestricted},
		{"henry", map[string]string{"spark.executor.memory": "1g"}, "memory 1g asked for, but the maximum for henry is 512m, set by ___henry___.kitsune.engine.max.memory", status.CodeAboveMaximum},
		{"jack", map[string]string{"kitsune.engine.memory": "3g"}, "maximum for jack is 2g, set by kitsune.engine.max.memory (server)", status.CodeAboveMaximum},
		{"ivy", map[string]string{"kitsune.engine.cores": "2"}, "2 cores asked for, but the maximum for ivy is 1, set by ___group:interns___.kitsune.engine.max.cores (group interns)", status.CodeAboveMaximum},
		{"ivy", map[string]string{"kitsune.engine.cores": "many"}, "kitsune.engine.cores", status.CodeConfInvalid},
		{"ivy", map[string]string{"kitsune.frontend.bind.host": "0.0.0.0"}, "is a server setting", status.CodeConfServerScope},
		{"ivy", map[string]string{"kitsune.engine.memroy": "1g"}, `did you mean "kitsune.engine.memory"`, status.CodeConfUnknown},
	} {
		_, resp := g.openWith(t, tc.user, tc.confs)
		if resp.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(resp.Status.GetErrorMessage(), tc.want) {
			t.Errorf("%s %v: %v %q, want error containing %q", tc.user, tc.confs, resp.Status.StatusCode, resp.Status.GetErrorMessage(), tc.want)
		}
		if resp.Status.GetErrorCode() != tc.code {
			t.Errorf("%s %v: code %d, want %d", tc.user, tc.confs, resp.Status.GetErrorCode(), tc.code)
		}
	}
	// An ignored key is dropped silently; a request within the limits works.
	conn, err := g.gohiveConf(t, "henry", map[string]string{"spark.ui.enabled": "true", "spark.executor.memory": "256m"})
	if err != nil {
		t.Fatal(err)
	}
	if v := one(t, conn, "SET spark.ui.enabled"); v != "<undefined>" {
		t.Errorf("ignored key reached the engine: %s", v)
	}
	if v := one(t, conn, "SELECT current_setting('memory_limit') AS m"); v != "256.0 MiB" {
		t.Errorf("memory_limit = %s", v)
	}
}

func TestPinnedProfileWarns(t *testing.T) {
	g := startGateway(t, "kitsune.session.conf.profile.pinned=true")
	_, r1 := g.openWith(t, "kim", map[string]string{"kitsune.engine.memory": "400m"})
	_, r2 := g.openWith(t, "kim", map[string]string{"kitsune.engine.memory": "800m", "kitsune.engine.cores": "1"})
	if r1.Configuration["kitsune.engine.id"] != r2.Configuration["kitsune.engine.id"] {
		t.Fatal("pinned: sessions got different engines")
	}
	if r2.Status.StatusCode != tcli.TStatusCode_SUCCESS_WITH_INFO_STATUS || len(r2.Status.InfoMessages) == 0 ||
		!strings.Contains(r2.Status.InfoMessages[0], "did not apply: cores=1,memory=800m") {
		t.Errorf("pinned warning: %v", r2.Status)
	}
}

func TestFiftySimultaneousFirstSessionsLaunchOneEngine(t *testing.T) {
	g := startGateway(t)
	var wg sync.WaitGroup
	ids := make([]string, 50)
	errs := make([]error, 50)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: "lena", Password: "x"})
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
			if err != nil {
				errs[i] = err
				return
			}
			ids[i] = resp.Configuration["kitsune.engine.id"]
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || ids[i] == "" || ids[i] != ids[0] {
			t.Fatalf("session %d: engine %q (first %q), %v", i, ids[i], ids[0], err)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(g.workDir, "lena", "engine-*.log"))
	if len(logs) != 1 {
		t.Errorf("%d engine launches for 50 simultaneous first sessions, want 1", len(logs))
	}
}

func TestMemoryHungryTenantFailsAlone(t *testing.T) {
	g := startGateway(t)
	hungry, err := g.gohiveConf(t, "mia", map[string]string{"kitsune.engine.memory": "64m", "kitsune.engine.cores": "1"})
	if err != nil {
		t.Fatal(err)
	}
	other := g.gohive(t, "noah", "NONE", false)
	done := make(chan error, 1)
	go func() {
		_, _, err := tryQuery(hungry, "SELECT list(repeat('x', 200) || CAST(id AS STRING)) AS l FROM range(3000000)")
		done <- err
	}()
	for i := 0; i < 20; i++ {
		if v := one(t, other, "SELECT sum(id) AS s FROM range(100000)"); v != "4999950000" {
			t.Fatalf("noah's query = %s", v)
		}
	}
	if err := <-done; err == nil || !strings.Contains(strings.ToLower(err.Error()), "memory") {
		t.Errorf("mia's memory-hungry query: %v", err)
	}
	if v := one(t, hungry, "SELECT 1 AS one"); v != "1" {
		t.Errorf("mia's engine unusable after the failure: %s", v)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
