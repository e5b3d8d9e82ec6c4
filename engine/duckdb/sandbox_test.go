package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Every escape from the tenant's directory is refused with SQLSTATE 42000
// and a message that names the rule; nothing of another tenant's data or of
// the server's files comes back. (Symbolic links out of the directory are
// stopped by the engine process's Landlock layer: e2e/sandbox_test.go.)
func TestSandboxRefusesEveryEscape(t *testing.T) {
	work := t.TempDir()
	home, bob := filepath.Join(work, "alice"), filepath.Join(work, "bob")
	for _, d := range []string{home, bob} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	secretFile := filepath.Join(bob, "engine.log")
	_ = os.WriteFile(secretFile, []byte("bob-secret-statement\n"), 0o600)
	_ = os.WriteFile(filepath.Join(home, "mine.csv"), []byte("a\n1\n"), 0o600)
	s, err := Open(Config{ID: "alice", Database: filepath.Join(home, "default", "spark_catalog.duckdb"), Home: home}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u := "alice"
	r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
	sh := r.SessionHandle
	// The tenant's own directory stays usable.
	if rows, _ := run(t, s, sh, "SELECT count(*) FROM read_csv('"+filepath.Join(home, "mine.csv")+"')"); rows[0][0] != "1" {
		t.Errorf("own file: %v", rows)
	}
	run(t, s, sh, "CREATE TABLE t AS SELECT 1 AS x")
	run(t, s, sh, "COPY t TO '"+filepath.Join(home, "out.csv")+"'")
	q := func(s string) string { return "'" + s + "'" }
	for _, stmt := range []string{
		"SELECT * FROM read_text(" + q(secretFile) + ")",
		"SELECT * FROM read_blob(" + q(secretFile) + ")",
		"SELECT * FROM read_csv(" + q(secretFile) + ")",
		"SELECT * FROM read_parquet(" + q(filepath.Join(bob, "x.parquet")) + ")",
		"SELECT * FROM read_json(" + q(filepath.Join(bob, "x.json")) + ")",
		"SELECT * FROM glob(" + q(bob+"/**") + ")",
		"SELECT * FROM glob('/etc/*')",
		"ATTACH " + q(filepath.Join(bob, "default", "spark_catalog.duckdb")) + " AS stolen",
		"ATTACH " + q(filepath.Join(bob, "default", "spark_catalog.duckdb")) + " AS stolen (READ_ONLY)",
		"COPY t TO " + q(filepath.Join(bob, "dropped.csv")),
		"EXPORT DATABASE " + q(filepath.Join(bob, "export")),
		"INSTALL httpfs",
		"LOAD httpfs",
		"FORCE INSTALL httpfs",
		"SET enable_external_access = true",
		"SET GLOBAL enable_external_access = true",
		"RESET enable_external_access",
		"SET allowed_directories = ['/']",
		"SET lock_configuration = false",
		"PRAGMA memory_limit = '100GB'",
		"SET SESSION autoload_known_extensions = true",
		"SET autoload_known_extensions = true",
		"CREATE TABLE ext (a STRING) USING csv LOCATION " + q(bob),
		"SELECT * FROM parquet.`" + filepath.Join(bob, "x.parquet") + "`",
		"SELECT * FROM read_text('../bob/engine.log')",
		"SELECT * FROM read_text(" + q(home+"/../bob/engine.log") + ")",
		"SELECT * FROM read_text('/proc/self/environ')",
		"SELECT * FROM read_text('/etc/passwd')",
	} {
		resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: stmt})
		st := resp.Status
		if st.StatusCode == tcli.TStatusCode_SUCCESS_STATUS {
			fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 100})
			t.Errorf("%s: accepted (%v)", stmt, fr.GetResults())
			continue
		}
		msg := st.GetErrorMessage()
		if st.GetSqlState() != "42000" || !strings.Contains(msg, "sandbox") || strings.Contains(msg, "bob-secret") {
			t.Errorf("%s: SQLSTATE %s %q", stmt, st.GetSqlState(), msg)
		}
	}
	if _, err := os.Stat(filepath.Join(bob, "dropped.csv")); err == nil {
		t.Error("a file was written in another tenant's directory")
	}
}
