//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// With the default configuration a tenant's SQL reaches no other tenant's
// files, nor the server's: every escape is refused with SQLSTATE 42000 and
// a message naming the sandbox, and nothing comes back. Bob's database is
// tried again after his engine stopped for idleness (when DuckDB's file
// lock no longer guards it).
func TestTenantsCannotSeeEachOther(t *testing.T) {
	g := startGateway(t, "kitsune.session.engine.idle.timeout=PT1S", "kitsune.session.check.interval=PT0.2S")
	ctx := context.Background()
	bob := g.native(t, "bob")
	bs := openSession(t, bob, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil).SessionHandle
	for _, q := range []string{"CREATE TABLE payroll AS SELECT 'bob-salary-123' AS secret", "SELECT 'bob-literal-456' AS x"} {
		r, err := bob.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: bs, Statement: q})
		if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("%s: %v %v", q, err, r)
		}
	}
	_, _ = bob.CloseSession(ctx, &tcli.TCloseSessionReq{SessionHandle: bs})
	bobDir := filepath.Join(g.workDir, "bob")
	testenv.Eventually(t, 30*time.Second, func() error {
		if len(enginePIDs(bobDir)) > 0 {
			return errString("bob's engine still runs")
		}
		return nil
	})
	if st, err := os.Stat(bobDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("bob's directory: %v %v, want 0700", st.Mode(), err)
	}
	aliceDir := filepath.Join(g.workDir, "alice")
	alice := g.native(t, "alice")
	as := openSession(t, alice, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil).SessionHandle
	// Planted by someone with shell access: links out of alice's directory.
	_ = os.Symlink(bobDir, filepath.Join(aliceDir, "bobdir"))
	_ = os.Symlink("/proc/self/environ", filepath.Join(aliceDir, "env"))
	db := filepath.Join(bobDir, "default", "spark_catalog.duckdb")
	q := func(s string) string { return "'" + s + "'" }
	for _, stmt := range []string{
		"SELECT * FROM glob(" + q(bobDir+"/**") + ")",
		"SELECT content FROM read_text(" + q(bobDir+"/engine-*.log") + ")",
		"SELECT * FROM read_csv(" + q(bobDir+"/engine-*.log") + ")",
		"ATTACH " + q(db) + " AS stolen (READ_ONLY)",
		"ATTACH " + q(db) + " AS stolen",
		"SELECT content FROM read_text('bobdir/engine-*.log')",
		"SELECT content FROM read_text('../bob/engine-*.log')",
		"SELECT content FROM read_blob('env')",
		"SELECT content FROM read_blob('/proc/self/environ')",
		"SELECT content FROM read_text(" + q(filepath.Join(g.workDir, "..")) + " || '/etc/passwd')",
		"COPY (SELECT 1) TO " + q(filepath.Join(bobDir, "dropped.csv")),
		"INSTALL httpfs",
		"SET enable_external_access = true",
		"CREATE TABLE ext (a STRING) USING csv LOCATION " + q(bobDir),
		"SELECT * FROM parquet.`" + bobDir + "/x.parquet`",
	} {
		r, err := alice.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: as, Statement: stmt})
		if err != nil {
			t.Fatal(err)
		}
		msg := r.Status.GetErrorMessage()
		if r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetSqlState() != "42000" || !strings.Contains(msg, "sandbox") ||
			strings.Contains(msg, "bob-") {
			t.Errorf("%s: %v %s %q", stmt, r.Status.StatusCode, r.Status.GetSqlState(), msg)
		}
	}
	if _, err := os.Stat(filepath.Join(bobDir, "dropped.csv")); err == nil {
		t.Error("alice wrote into bob's directory")
	}
	// Bob's engine log holds none of his literals (statement logging is off).
	logs, _ := filepath.Glob(filepath.Join(bobDir, "engine-*.log"))
	for _, l := range logs {
		if b, _ := os.ReadFile(l); strings.Contains(string(b), "bob-salary-123") || strings.Contains(string(b), "bob-literal-456") {
			t.Errorf("%s records bob's literals", l)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
