package duckdb

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

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
		if !arrowAvailable && c.want > tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V4 {
			c.want = tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V4 // built without Arrow: V5+ would promise it
		}
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

func sparkSession(t *testing.T, s *Service) *tcli.TSessionHandle {
	t.Helper()
	v := int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8)
	r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: -7, ClientProtocolI64: &v})
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(r.Status)
	}
	return r.SessionHandle
}

// Direct results: a short query is one round trip (status, metadata, the
// first page, and the operation closed when that page is the whole result).
func TestDirectResults(t *testing.T) {
	s, _ := newService(t)
	sh := sparkSession(t, s)
	ctx := context.Background()
	for _, async := range []bool{false, true} {
		r, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT id FROM range(10)", RunAsync: async,
			GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 100}})
		d := r.DirectResults
		if d == nil || d.OperationStatus.GetOperationState() != tcli.TOperationState_FINISHED_STATE || d.ResultSetMetadata.GetResultFormat() != tcli.TSparkRowSetType_COLUMN_BASED_SET {
			t.Fatalf("async=%v: direct results %v", async, d)
		}
		if got := d.ResultSet.Results.Columns[0].I64Val.Values; len(got) != 10 || d.ResultSet.GetHasMoreRows() || d.CloseOperation == nil {
			t.Errorf("async=%v: first page %v more=%v close=%v", async, got, d.ResultSet.GetHasMoreRows(), d.CloseOperation)
		}
		if st, _ := s.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: r.OperationHandle}); st.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
			t.Errorf("async=%v: an operation closed in its direct results still answers: %v", async, st.Status)
		}
	}
	// A result larger than the page stays open, with the cursor after it.
	r, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT id FROM range(10)",
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 4}})
	if d := r.DirectResults; d.CloseOperation != nil || !d.ResultSet.GetHasMoreRows() || d.ResultSet.Results.StartRowOffset != 0 {
		t.Fatalf("partial direct results: %v", d)
	}
	f, _ := s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 4, Orientation: tcli.TFetchOrientation_FETCH_NEXT})
	if f.Results.StartRowOffset != 4 || f.Results.Columns[0].I64Val.Values[0] != 4 || !f.GetHasMoreRows() {
		t.Errorf("next page: offset %d %v more=%v", f.Results.StartRowOffset, f.Results.Columns[0].I64Val.Values, f.GetHasMoreRows())
	}
	f, _ = s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 4, Orientation: tcli.TFetchOrientation_FETCH_NEXT})
	if f.Results.StartRowOffset != 8 || len(f.Results.Columns[0].I64Val.Values) != 2 || f.GetHasMoreRows() {
		t.Errorf("last page: offset %d %v more=%v", f.Results.StartRowOffset, f.Results.Columns[0].I64Val.Values, f.GetHasMoreRows())
	}
	// Past the end: an empty page, still typed, hasMoreRows false (HiveServer2).
	f, _ = s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 4, Orientation: tcli.TFetchOrientation_FETCH_NEXT})
	if f.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || len(f.Results.Columns[0].I64Val.Values) != 0 || f.GetHasMoreRows() || f.Results.Rows == nil {
		t.Errorf("past the end: %v", f)
	}
	// maxBytes bounds a page; startRowOffset positions it; metadata rides along.
	off := int64(2)
	f, _ = s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 100, MaxBytes: new(int64(17)), StartRowOffset: &off, IncludeResultSetMetadata: new(true)})
	if got := f.Results.Columns[0].I64Val.Values; len(got) != 2 || got[0] != 2 || f.ResultSetMetadata.GetResultFormat() != tcli.TSparkRowSetType_COLUMN_BASED_SET {
		t.Errorf("maxBytes 17 from offset 2: %v %v", got, f.ResultSetMetadata)
	}
	bad, _ := s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, MaxRows: 1, Orientation: tcli.TFetchOrientation_FETCH_PRIOR})
	if bad.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS {
		t.Errorf("FETCH_PRIOR: %v", bad.Status)
	}
	// Metadata calls answer direct results too.
	mr, _ := s.GetSchemas(ctx, &tcli.TGetSchemasReq{SessionHandle: sh, GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 100}})
	if mr.DirectResults == nil || mr.DirectResults.ResultSet == nil || mr.DirectResults.CloseOperation == nil {
		t.Errorf("GetSchemas direct results: %v", mr.DirectResults)
	}
	// resultRowLimit caps the result without an error.
	lr, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT id FROM range(10)", ResultRowLimit: new(int64(3)),
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 100}})
	if got := lr.DirectResults.ResultSet.Results.Columns[0].I64Val.Values; len(got) != 3 {
		t.Errorf("resultRowLimit 3: %v", got)
	}
}

// Parameters are bound as query arguments: a value full of SQL stays a value.
func TestParameters(t *testing.T) {
	s, _ := newService(t)
	sh := sparkSession(t, s)
	ctx := context.Background()
	str := func(v string) *tcli.TSparkParameterValue { return &tcli.TSparkParameterValue{StringValue: &v} }
	name := func(n string) *string { return &n }
	typ := func(n string) *string { return &n }
	exec := func(q string, ps ...*tcli.TSparkParameter) *tcli.TExecuteStatementResp {
		r, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q, Parameters: ps,
			GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 10}})
		return r
	}
	r := exec("SELECT :n + 1 AS n, :s AS s, :d AS d, :nothing AS z, ':n' AS lit",
		&tcli.TSparkParameter{Name: name("n"), Type: typ("INTEGER"), Value: str("41")},
		&tcli.TSparkParameter{Name: name("s"), Type: typ("STRING"), Value: str("x'); DROP TABLE t; --")},
		&tcli.TSparkParameter{Name: name("d"), Type: typ("DECIMAL(5,2)"), Value: str("1.5")},
		&tcli.TSparkParameter{Name: name("nothing")})
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(r.Status)
	}
	cols := r.DirectResults.ResultSet.Results.Columns
	if cols[0].I32Val.Values[0] != 42 || cols[1].StringVal.Values[0] != "x'); DROP TABLE t; --" || cols[2].StringVal.Values[0] != "1.50" ||
		cols[3].StringVal.Nulls[0]&1 == 0 || cols[4].StringVal.Values[0] != ":n" {
		t.Errorf("named parameters: %v", cols)
	}
	r = exec("SELECT ? * 2 AS a, ? AS b", &tcli.TSparkParameter{Type: typ("BIGINT"), Value: str("21")}, &tcli.TSparkParameter{Type: typ("BOOLEAN"), Value: str("TRUE")})
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || r.DirectResults.ResultSet.Results.Columns[0].I64Val.Values[0] != 42 || !r.DirectResults.ResultSet.Results.Columns[1].BoolVal.Values[0] {
		t.Errorf("positional parameters: %v", r)
	}
	for _, c := range []struct {
		q     string
		ps    []*tcli.TSparkParameter
		state string
	}{
		{"SELECT :a", []*tcli.TSparkParameter{{Name: name("b"), Type: typ("INT"), Value: str("1")}}, StateParameter},
		{"SELECT ?, ?", []*tcli.TSparkParameter{{Type: typ("INT"), Value: str("1")}}, StateParameter},
		{"SELECT :a", []*tcli.TSparkParameter{{Name: name("a"), Type: typ("WIDGET"), Value: str("1")}}, "42000"},
	} {
		if r := exec(c.q, c.ps...); r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetSqlState() != c.state {
			t.Errorf("%s: %v, want SQLSTATE %s", c.q, r.Status, c.state)
		}
	}
	r = exec("SELECT :a AS a", &tcli.TSparkParameter{Name: name("a"), Type: typ("INT"), Value: str("not a number")})
	failed := r.Status.StatusCode == tcli.TStatusCode_ERROR_STATUS && r.Status.GetSqlState() == "22018" ||
		r.DirectResults != nil && r.DirectResults.GetOperationStatus().GetSqlState() == "22018"
	if !failed {
		t.Errorf("a value that is not of its type: %v", r)
	}
	if rows, _ := run(t, s, sh, "SELECT 1"); len(rows) != 1 {
		t.Error("session unusable after bad parameters")
	}
}

// The Simba drivers send their Schema connection property as SET
// Schema=db; Spark keeps it as a conf, and so does the engine.
func TestSetOfAConnectionPropertyIsAConf(t *testing.T) {
	s, sh := newService(t)
	rows, _ := run(t, s, sh, "SET Schema=default")
	if len(rows) != 1 || rows[0][0] != "Schema" || rows[0][1] != "default" {
		t.Errorf("SET Schema=default: %v", rows)
	}
	if rows, _ := run(t, s, sh, "SELECT current_setting('schema')"); rows[0][0] != "main" {
		t.Errorf("the session's schema moved: %v", rows)
	}
}

// SHOW TABLES answers Spark's three columns, or HiveServer2's one
// (tab_name) when the engine is set to Hive's output form.
func TestShowTablesForms(t *testing.T) {
	for _, hive := range []bool{false, true} {
		s, err := Open(Config{ID: "show", HiveOutput: hive}, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		u := "sho"
		r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
		run(t, s, r.SessionHandle, "CREATE TABLE shown (a INT)")
		rows, schema := run(t, s, r.SessionHandle, "SHOW TABLES in default")
		var cols []string
		for _, c := range schema.Columns {
			cols = append(cols, c.ColumnName)
		}
		want := "namespace,tableName,isTemporary"
		if hive {
			want = "tab_name"
		}
		if strings.Join(cols, ",") != want || len(rows) != 1 || !strings.Contains(strings.Join(rows[0], ","), "shown") {
			t.Errorf("hive=%v: columns %v rows %v", hive, cols, rows)
		}
		s.Close()
	}
}
