package conformance

import (
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

func typeOf(c *tcli.TColumnDesc) *tcli.TPrimitiveTypeEntry {
	return c.TypeDesc.Types[0].PrimitiveEntry
}

// checkStatements: HiveServer2 compiles before it answers ExecuteStatement
// (runAsync too), so the handle's hasResultSet is right in that reply and
// GetOperationStatus agrees; DDL and DML have none.
func checkStatements(t *testing.T, s *sess) {
	tbl := s.prefix + "_t"
	for _, async := range []bool{false, true} {
		for _, c := range []struct {
			stmt string
			rows bool
		}{
			{"DROP TABLE IF EXISTS " + tbl, false},
			{"CREATE TABLE " + tbl + " (id INT, name STRING, amount DECIMAL(10,2))", false},
			{"INSERT INTO " + tbl + " VALUES (1, 'a', 1.50), (2, NULL, NULL)", false},
			{"SELECT * FROM " + tbl, true},
			{"SHOW TABLES", true},
			{"DESCRIBE " + tbl, true},
			{"EXPLAIN SELECT 1", true},
			{"SET", true},
		} {
			oh := s.exec(t, c.stmt, async)
			if oh.HasResultSet != c.rows {
				t.Errorf("async=%v %q: hasResultSet %v in the ExecuteStatement reply, want %v", async, c.stmt, oh.HasResultSet, c.rows)
			}
			st := s.wait(t, oh)
			if st.GetOperationState() != tcli.TOperationState_FINISHED_STATE || st.GetHasResultSet() != c.rows {
				t.Errorf("async=%v %q: %s hasResultSet %v, want FINISHED %v (%s)", async, c.stmt, st.GetOperationState(), st.GetHasResultSet(), c.rows, st.GetErrorMessage())
			}
			s.close(t, oh)
		}
	}
	// Types, qualifiers and values.
	oh := s.exec(t, "SELECT id, name, amount, CAST(id AS BIGINT) AS big, id = 1 AS flag, CAST(2.5 AS DOUBLE) AS dbl, DATE '2024-02-29' AS dt FROM "+tbl+" ORDER BY id", false)
	md := s.schema(t, oh)
	want := []struct {
		name string
		typ  tcli.TTypeId
	}{{"id", tcli.TTypeId_INT_TYPE}, {"name", tcli.TTypeId_STRING_TYPE}, {"amount", tcli.TTypeId_DECIMAL_TYPE}, {"big", tcli.TTypeId_BIGINT_TYPE},
		{"flag", tcli.TTypeId_BOOLEAN_TYPE}, {"dbl", tcli.TTypeId_DOUBLE_TYPE}, {"dt", tcli.TTypeId_DATE_TYPE}}
	if len(md.Schema.Columns) != len(want) {
		t.Fatalf("schema: %v", md.Schema)
	}
	for i, w := range want {
		c := md.Schema.Columns[i]
		if c.ColumnName != w.name || typeOf(c).Type != w.typ {
			t.Errorf("column %d: %s %s, want %s %s", i, c.ColumnName, typeOf(c).Type, w.name, w.typ)
		}
	}
	// DECIMAL carries precision and scale (protocol V4+ clients read them).
	q := typeOf(md.Schema.Columns[2]).GetTypeQualifiers().GetQualifiers()
	if q["precision"].GetI32Value() != 10 || q["scale"].GetI32Value() != 2 {
		t.Errorf("DECIMAL(10,2) qualifiers: %v", q)
	}
	rows := s.fetchAll(t, oh, 100)
	s.close(t, oh)
	if len(rows) != 2 || rows[0][0] != "1" || rows[0][1] != "a" || rows[0][2] != "1.50" || rows[0][3] != "1" || rows[0][4] != "true" ||
		rows[0][5] != "2.5" || rows[0][6] != "2024-02-29" || rows[1][1] != "NULL" || rows[1][2] != "NULL" {
		t.Errorf("values: %v", rows)
	}
}

// checkRunningMetadata: HiveServer2 answers GetResultSetMetadata from
// RUNNING on; a running statement without a result set answers its empty
// schema at once (the Databricks drivers ask it before the statement ends).
func checkRunningMetadata(t *testing.T, s *sess) {
	oh := s.exec(t, "CREATE OR REPLACE TABLE "+s.prefix+"_slow AS SELECT count(*) AS n FROM range(3000000) a, range(30) b", true)
	md, err := s.c.GetResultSetMetadata(bg, &tcli.TGetResultSetMetadataReq{OperationHandle: oh})
	if err != nil {
		t.Fatal(err)
	}
	if md.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || len(md.GetSchema().GetColumns()) != 0 {
		t.Errorf("metadata of a running statement without a result set: %v", md)
	}
	s.wait(t, oh)
	s.close(t, oh)
}

// checkPaging: startRowOffset is the offset of the page's first row,
// hasMoreRows is false only on the last page, a fetch past the end answers
// an empty page (HiveServer2; gohive reads until one), FETCH_FIRST
// restarts, and other orientations are refused.
func checkPaging(t *testing.T, s *sess) {
	oh := s.exec(t, "SELECT id FROM range(5) ORDER BY id", true)
	s.wait(t, oh)
	defer s.close(t, oh)
	fetch := func(o tcli.TFetchOrientation, n int64) *tcli.TFetchResultsResp {
		r, err := s.c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: o, MaxRows: n})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i, w := range []struct {
		offset int64
		n      int
		more   bool
	}{{0, 2, true}, {2, 2, true}, {4, 1, false}, {5, 0, false}} {
		r := fetch(tcli.TFetchOrientation_FETCH_NEXT, 2)
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("page %d: %v", i, r.Status)
		}
		rows := s.rows(t, r.Results)
		if r.Results.StartRowOffset != w.offset || len(rows) != w.n || r.GetHasMoreRows() != w.more {
			t.Errorf("page %d: offset %d rows %d more %v, want %d %d %v", i, r.Results.StartRowOffset, len(rows), r.GetHasMoreRows(), w.offset, w.n, w.more)
		}
		if s.columnar() && len(r.Results.Columns) != 1 {
			t.Errorf("page %d: %d columns; an empty page keeps its typed columns", i, len(r.Results.Columns))
		}
	}
	r := fetch(tcli.TFetchOrientation_FETCH_FIRST, 3)
	if rows := s.rows(t, r.Results); r.Results.StartRowOffset != 0 || len(rows) != 3 || rows[0][0] != "0" {
		t.Errorf("FETCH_FIRST: %v", rows)
	}
	if r := fetch(tcli.TFetchOrientation_FETCH_PRIOR, 1); r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetErrorMessage() == "" {
		t.Errorf("FETCH_PRIOR: %v", r.Status)
	}
	// The operation log (fetchType 1) and the query id.
	lr, err := s.c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_FIRST, MaxRows: 100, FetchType: 1})
	if err != nil || lr.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || len(s.rows(t, lr.Results)) == 0 {
		t.Errorf("operation log: %v %v", err, lr)
	}
	if q, err := s.c.GetQueryId(bg, &tcli.TGetQueryIdReq{OperationHandle: oh}); err != nil || q.QueryId == "" {
		t.Errorf("GetQueryId: %v %v", err, q)
	}
}

// checkErrors: a failed statement answers ERROR_STATUS with its SQLSTATE
// (synchronously) or ERROR_STATE with it (asynchronously, as Spark's Thrift
// server analyses in the background), handles that are closed or unknown
// answer INVALID_HANDLE_STATUS, and the session stays usable.
func checkErrors(t *testing.T, s *sess) {
	r, err := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELEC 1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetSqlState() != "42601" || r.Status.GetErrorMessage() == "" {
		t.Errorf("syntax error: %v", r.Status)
	}
	r, _ = s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT * FROM no_such_table", RunAsync: true})
	if ok(r.Status) {
		st := s.wait(t, r.OperationHandle)
		if st.GetOperationState() != tcli.TOperationState_ERROR_STATE || st.GetSqlState() != "42000" || st.GetErrorMessage() == "" {
			t.Errorf("unknown table, async: %s %s %s", st.GetOperationState(), st.GetSqlState(), st.GetErrorMessage())
		}
		s.close(t, r.OperationHandle)
		cl, _ := s.c.GetOperationStatus(bg, &tcli.TGetOperationStatusReq{OperationHandle: r.OperationHandle})
		if cl.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
			t.Errorf("a closed operation: %v", cl.Status)
		}
	} else if r.Status.GetSqlState() != "42000" {
		t.Errorf("unknown table: %v", r.Status)
	}
	if rows := s.query(t, "SELECT 42", false); len(rows) != 1 || rows[0][0] != "42" {
		t.Errorf("after errors: %v", rows)
	}
}

// checkCancel: a canceled statement ends in CANCELED_STATE.
func checkCancel(t *testing.T, s *sess) {
	oh := s.exec(t, "SELECT count(*) FROM range(1000000000) a, range(1000) b", true)
	defer s.close(t, oh)
	cr, err := s.c.CancelOperation(bg, &tcli.TCancelOperationReq{OperationHandle: oh})
	if err != nil || cr.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("CancelOperation: %v %v", err, cr)
	}
	if st := s.wait(t, oh); st.GetOperationState() != tcli.TOperationState_CANCELED_STATE {
		t.Errorf("after cancel: %s", st.GetOperationState())
	}
}
