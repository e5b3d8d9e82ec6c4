package duckdb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"SET spark.hadoop.fs.s3a.secret.key=AKIAxyz":                           "SET spark.hadoop.fs.s3a.secret.key='******'",
		"SET kitsune.authentication.ldap.bindpw = 'hunter2'":                   "SET kitsune.authentication.ldap.bindpw = '******'",
		"CREATE TABLE t USING jdbc OPTIONS (url 'x', password 'hunter2')":      "CREATE TABLE t USING jdbc OPTIONS (url 'x', password '******')",
		"CREATE TABLE t USING jdbc OPTIONS ('user' 'u', 'password' 'it''s')":   "CREATE TABLE t USING jdbc OPTIONS ('user' 'u', 'password' '******')",
		"SELECT * FROM t WHERE api_token = 'abc' AND x = 1":                    "SELECT * FROM t WHERE api_token = '******' AND x = 1",
		"SELECT 'jdbc:pg://h/db;password=hunter2;ssl=true'":                    "SELECT 'jdbc:pg://h/db;password='******';ssl=true'",
		"SELECT token FROM tokens":                                             "SELECT token FROM tokens",
		"SET spark.sql.shuffle.partitions=4":                                   "SET spark.sql.shuffle.partitions=4",
		"SET kitsune.authentication.kerberos.keytab=/etc/security/hive.keytab": "SET kitsune.authentication.kerberos.keytab='******'",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	if strings.Contains(redact("SET x.password=hunter2"), "hunter2") {
		t.Error("a password survived")
	}
}

// The engine log holds no statement text nor literals unless statement
// logging is on, and then with secrets redacted.
func TestStatementLogging(t *testing.T) {
	for _, on := range []bool{false, true} {
		core, logs := observer.New(zap.InfoLevel)
		s, err := Open(Config{ID: "log", LogStatements: on}, zap.New(core))
		if err != nil {
			t.Fatal(err)
		}
		u := "lou"
		r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
		for _, q := range []string{"SELECT 'visible-literal' AS x", "SELECT * FROM missing_table WHERE pwd = 'hunter2'", "SET my.secret=hunter2"} {
			_, _ = s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: q})
		}
		s.Close()
		var all strings.Builder
		failed := 0
		for _, e := range logs.All() {
			all.WriteString(e.Message)
			for k, v := range e.ContextMap() {
				all.WriteString(" " + k + "=" + fmt.Sprint(v))
			}
			all.WriteString("\n")
			if e.Message == "statement failed" {
				failed++
			}
		}
		text := all.String()
		if strings.Contains(text, "hunter2") || failed != 1 {
			t.Errorf("logging=%v: a secret in the log, or %d failures logged:\n%s", on, failed, text)
		}
		if strings.Contains(text, "visible-literal") != on {
			t.Errorf("logging=%v: statement text in the log is %v:\n%s", on, strings.Contains(text, "visible-literal"), text)
		}
	}
}
