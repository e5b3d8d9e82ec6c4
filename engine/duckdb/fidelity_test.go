package duckdb

import (
	"context"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// isUUID4 checks what the Databricks drivers check (uuid.stringify): an
// RFC 4122 version-4 UUID, as Java's UUID.randomUUID() makes.
func isUUID4(b []byte) bool { return len(b) == 16 && b[6]>>4 == 4 && b[8]>>6 == 2 }

// HiveServer2 compiles a statement before it answers ExecuteStatement, even
// with runAsync, so the handle's hasResultSet is already right there: true
// for statements with a result schema, false for DDL/DML. Hive JDBC 0.13–2.1
// reads only this flag ("The query did not generate a result set!").
func TestHandleFlagsInTheExecuteReply(t *testing.T) {
	s, sh := newService(t)
	ctx := context.Background()
	cases := []struct {
		stmt string
		rows bool
	}{
		{"CREATE TABLE flags_t (id INT)", false},
		{"INSERT INTO flags_t VALUES (1)", false},
		{"SELECT * FROM flags_t", true},
		{"VALUES (1)", true},
		{"SHOW TABLES", true},
		{"DESCRIBE flags_t", true},
		{"EXPLAIN SELECT 1", true},
		{"SET", true},
		{"SET spark.sql.shuffle.partitions", true},
		{"SET spark.sql.shuffle.partitions=4", true}, // Spark's SET k=v answers (key, value)
		{"CACHE TABLE flags_t", false},
		{"DROP TABLE flags_t", false},
	}
	for _, async := range []bool{false, true} {
		for _, c := range cases {
			resp, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: c.stmt, RunAsync: async})
			if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS && resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_WITH_INFO_STATUS {
				t.Fatalf("%s: %s", c.stmt, resp.Status.GetErrorMessage())
			}
			oh := resp.OperationHandle
			if oh.HasResultSet != c.rows {
				t.Errorf("async=%v %q: hasResultSet %v in the ExecuteStatement reply, want %v", async, c.stmt, oh.HasResultSet, c.rows)
			}
			if !isUUID4(oh.OperationId.GUID) || !isUUID4(oh.OperationId.Secret) {
				t.Errorf("operation handle is not a version-4 UUID: %x %x", oh.OperationId.GUID, oh.OperationId.Secret)
			}
			st, _ := s.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: oh})
			for st.GetOperationState() == tcli.TOperationState_RUNNING_STATE || st.GetOperationState() == tcli.TOperationState_PENDING_STATE {
				st, _ = s.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: oh})
			}
			if st.GetOperationState() != tcli.TOperationState_FINISHED_STATE || st.GetHasResultSet() != c.rows {
				t.Errorf("async=%v %q: status %s hasResultSet %v, want FINISHED %v", async, c.stmt, st.GetOperationState(), st.GetHasResultSet(), c.rows)
			}
			_, _ = s.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: oh})
		}
	}
	// Every metadata call's handle answers a table.
	tr, _ := s.GetTables(ctx, &tcli.TGetTablesReq{SessionHandle: sh})
	if !tr.OperationHandle.HasResultSet {
		t.Error("GetTables handle: hasResultSet false")
	}
	// A statement the engine cannot compile fails in the reply itself, with
	// no handle, and the session stays usable.
	bad, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "ADD JAR /x.jar", RunAsync: true})
	if bad.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || bad.Status.GetSqlState() != "42000" || bad.OperationHandle != nil {
		t.Errorf("ADD JAR: %v", bad)
	}
	if rows, _ := run(t, s, sh, "SELECT 1"); len(rows) != 1 {
		t.Errorf("session after a refused statement: %v", rows)
	}
	if !isUUID4(sh.SessionId.GUID) || !isUUID4(sh.SessionId.Secret) {
		t.Errorf("session handle is not a version-4 UUID: %x", sh.SessionId.GUID)
	}
}

// Spark's Thrift server answers GetInfo with "Spark SQL" and its Spark
// version, and an info type HiveServer2 does not know with an error.
func TestGetInfoAnswersAsSparkThriftServer(t *testing.T) {
	s, sh := newService(t)
	ctx := context.Background()
	for typ, want := range map[tcli.TGetInfoType]string{
		tcli.TGetInfoType_CLI_DBMS_NAME: "Spark SQL", tcli.TGetInfoType_CLI_SERVER_NAME: "kitsune", tcli.TGetInfoType_CLI_DBMS_VER: SparkVersion,
	} {
		r, _ := s.GetInfo(ctx, &tcli.TGetInfoReq{SessionHandle: sh, InfoType: typ})
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || r.InfoValue.GetStringValue() != want {
			t.Errorf("%s: %v %q, want %q", typ, r.Status, r.InfoValue.GetStringValue(), want)
		}
	}
	r, _ := s.GetInfo(ctx, &tcli.TGetInfoReq{SessionHandle: sh, InfoType: tcli.TGetInfoType_CLI_MAX_TABLE_NAME_LEN})
	if r.InfoValue.GetLenValue() != 128 {
		t.Errorf("CLI_MAX_TABLE_NAME_LEN: %v", r.InfoValue)
	}
	r, _ = s.GetInfo(ctx, &tcli.TGetInfoReq{SessionHandle: sh, InfoType: tcli.TGetInfoType_CLI_TXN_CAPABLE})
	if r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetSqlState() != "HY096" || !r.InfoValue.IsSetStringValue() {
		t.Errorf("CLI_TXN_CAPABLE: %v", r)
	}
	// SET -v has Spark's four columns (the Simba Spark driver reads them).
	rows, schema := run(t, s, sh, "SET -v")
	var names []string
	for _, c := range schema.Columns {
		names = append(names, c.ColumnName)
	}
	if len(names) != 4 || names[0] != "key" || names[1] != "value" || names[2] != "meaning" || names[3] != "Since version" {
		t.Errorf("SET -v columns: %v", names)
	}
	found := false
	for _, r := range rows {
		found = found || r[0] == "spark.sql.session.timeZone"
	}
	if !found || len(rows) < 10 {
		t.Errorf("SET -v rows: %v", rows)
	}
}

// The Spark protocol family: client_protocol_i64 wins, the answer is never
// above what the client sent, and a version of neither family is refused.
func TestProtocolNegotiation(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	open := func(v tcli.TProtocolVersion, i64 *int64) *tcli.TOpenSessionResp {
		r, _ := s.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: v, ClientProtocolI64: i64})
		if r.SessionHandle != nil {
			t.Cleanup(func() { _, _ = s.CloseSession(ctx, &tcli.TCloseSessionReq{SessionHandle: r.SessionHandle}) })
		}
		return r
	}
	i := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		v    tcli.TProtocolVersion
		i64  *int64
		want tcli.TProtocolVersion
	}{
		{tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V1, nil, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V1},
		{tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10},
		{-7, i(0xA508), tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8},
		{-7, i(0xA503), tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V3},
		{-7, i(0xA509), tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8},
		{tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, i(0xA506), tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V6},
		{42, nil, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11},
	} {
		r := open(c.v, c.i64)
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || r.ServerProtocolVersion != c.want {
			t.Errorf("client %d/%v: %v answered %d, want %d", c.v, c.i64, r.Status, r.ServerProtocolVersion, c.want)
		}
	}
	for _, c := range []struct {
		v   tcli.TProtocolVersion
		i64 *int64
	}{{-3, nil}, {-7, i(1 << 40)}, {-7, i(-1)}} {
		if r := open(c.v, c.i64); r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetSqlState() != "08S01" {
			t.Errorf("client %d/%v: %v, want a refusal", c.v, c.i64, r.Status)
		}
	}
}
