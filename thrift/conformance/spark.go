package conformance

import (
	"bytes"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/pierrec/lz4/v4"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

func atLeast(s *sess, v tcli.TProtocolVersion) bool { return s.answer >= v }

// checkDirectResults: with getDirectResults (Spark V1+, the Databricks
// drivers always ask), a short query answers status, metadata and its
// first page in the ExecuteStatement reply and is closed there when that
// page is the whole result; metadata calls answer the same way.
func checkDirectResults(t *testing.T, s *sess) {
	r, err := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT id FROM range(3) ORDER BY id", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 100}})
	if err != nil || !ok(r.Status) {
		t.Fatalf("%v %v", err, r)
	}
	d := r.DirectResults
	if d == nil || d.OperationStatus == nil {
		t.Fatalf("no direct results: %v", d)
	}
	if d.OperationStatus.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		// Finished or not within the server's wait is a matter of time,
		// not of protocol (a loaded machine): a running statement's direct
		// results carry its status only, and the client polls on.
		stillRunning(t, s, r.OperationHandle, d, 3)
	} else {
		if d.ResultSetMetadata == nil || !d.ResultSetMetadata.IsSetResultFormat() || d.ResultSet == nil || d.ResultSet.GetHasMoreRows() || d.CloseOperation == nil {
			t.Fatalf("direct results: %v", d)
		}
		if rows := s.rows(t, d.ResultSet.Results); len(rows) != 3 || rows[2][0] != "2" {
			t.Errorf("direct results rows: %v", rows)
		}
		if st, _ := s.c.GetOperationStatus(bg, &tcli.TGetOperationStatusReq{OperationHandle: r.OperationHandle}); st.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
			t.Errorf("operation closed in its direct results still answers: %v", st.Status)
		}
	}
	// More rows than the page: the operation stays open after it.
	r, _ = s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT id FROM range(5) ORDER BY id", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 2}})
	if d := r.DirectResults; d.OperationStatus.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		stillRunning(t, s, r.OperationHandle, d, 5)
	} else {
		if d.CloseOperation != nil || !d.ResultSet.GetHasMoreRows() {
			t.Fatalf("partial direct results: %v", d)
		}
		rest := s.fetchAll2(t, r.OperationHandle, 2, 2)
		if len(rest) != 3 || rest[0][0] != "2" {
			t.Errorf("after direct results: %v", rest)
		}
		s.close(t, r.OperationHandle)
	}
	// A statement without a result set: no page (the Databricks drivers
	// would wait for its rows forever), closed at once.
	ddl, _ := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "CREATE OR REPLACE TABLE " + s.prefix + "_dr (id INT)", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 100}})
	switch d := ddl.DirectResults; {
	case d == nil || ddl.OperationHandle.HasResultSet || d.ResultSet != nil:
		t.Errorf("DDL direct results: %v", d)
	case d.OperationStatus.GetOperationState() == tcli.TOperationState_FINISHED_STATE && d.CloseOperation == nil:
		t.Errorf("a finished DDL was not closed in its direct results: %v", d)
	case d.OperationStatus.GetOperationState() != tcli.TOperationState_FINISHED_STATE:
		stillRunning(t, s, ddl.OperationHandle, d, -1)
	}
	m, _ := s.c.GetTables(bg, &tcli.TGetTablesReq{SessionHandle: s.h, GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 10000}})
	switch d := m.DirectResults; {
	case d == nil || d.OperationStatus == nil:
		t.Errorf("GetTables direct results: %v", d)
	case d.OperationStatus.GetOperationState() != tcli.TOperationState_FINISHED_STATE:
		stillRunning(t, s, m.OperationHandle, d, -1)
	case d.ResultSet == nil || d.CloseOperation == nil:
		t.Errorf("GetTables direct results: %v", d)
	}
	// A failed statement's direct results carry the error; the operation
	// stays open until the client closes it, as HiveServer2 keeps it, and
	// answers its metadata with the statement's error (the Databricks Node
	// driver asks a statement without rows for it). Still running, it ends
	// in ERROR_STATE when polled.
	f, _ := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT * FROM no_such_table", RunAsync: true,
		GetDirectResults: &tcli.TSparkGetDirectResults{MaxRows: 10}})
	if ok(f.Status) {
		switch d := f.DirectResults; d.OperationStatus.GetOperationState() {
		case tcli.TOperationState_ERROR_STATE:
			if d.CloseOperation != nil || d.OperationStatus.GetSqlState() == "" {
				t.Errorf("failed statement's direct results: %v", d)
			}
			md, _ := s.c.GetResultSetMetadata(bg, &tcli.TGetResultSetMetadataReq{OperationHandle: f.OperationHandle})
			if ok(md.Status) || md.Status.GetSqlState() != d.OperationStatus.GetSqlState() {
				t.Errorf("a failed operation's metadata answered %v, want its error (SQLSTATE %s)", md.Status, d.OperationStatus.GetSqlState())
			}
			if c, _ := s.c.CloseOperation(bg, &tcli.TCloseOperationReq{OperationHandle: f.OperationHandle}); !ok(c.Status) {
				t.Errorf("closing the failed operation: %v", c.Status)
			}
		case tcli.TOperationState_RUNNING_STATE, tcli.TOperationState_PENDING_STATE, tcli.TOperationState_INITIALIZED_STATE:
			if d.ResultSet != nil || d.CloseOperation != nil {
				t.Errorf("running statement's direct results: %v", d)
			}
			if st := s.wait(t, f.OperationHandle); st.GetOperationState() != tcli.TOperationState_ERROR_STATE {
				t.Errorf("a failing statement ended %v", st.GetOperationState())
			}
		default:
			t.Errorf("failed statement's direct results: %v", d)
		}
	}
}

// stillRunning checks the direct results of a statement that had not
// finished within the server's wait: status only (no metadata, page or
// close), and the operation then finishes as usual; a query's rows (want
// of them; -1 for none) come by fetching.
func stillRunning(t *testing.T, s *sess, oh *tcli.TOperationHandle, d *tcli.TSparkDirectResults, want int) {
	t.Helper()
	if d.ResultSet != nil || d.CloseOperation != nil || d.ResultSetMetadata != nil {
		t.Fatalf("direct results of a running statement carry more than its status: %v", d)
	}
	if st := s.wait(t, oh); st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		t.Fatalf("statement ended %v", st.GetOperationState())
	}
	if want >= 0 {
		if rows := s.fetchAll(t, oh, 100); len(rows) != want {
			t.Errorf("rows after polling: %v", rows)
		}
	}
	s.close(t, oh)
}

// fetchAll2 reads the rest of a result whose first `from` rows were read.
func (s *sess) fetchAll2(t *testing.T, oh *tcli.TOperationHandle, from int64, page int64) [][]string {
	var out [][]string
	for {
		r, err := s.c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: page})
		if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("%v %v", err, r)
		}
		if r.Results.StartRowOffset != from+int64(len(out)) {
			t.Errorf("startRowOffset %d, want %d", r.Results.StartRowOffset, from+int64(len(out)))
		}
		out = append(out, s.rows(t, r.Results)...)
		if !r.GetHasMoreRows() {
			return out
		}
	}
}

// checkParameters: named and positional parameters (Spark V8) are bound as
// values: a value full of SQL comes back as it was sent.
func checkParameters(t *testing.T, s *sess) {
	if !atLeast(s, tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8) {
		return
	}
	sv := func(v string) *tcli.TSparkParameterValue { return &tcli.TSparkParameterValue{StringValue: &v} }
	p := func(v string) *string { return &v }
	evil := "'; DROP TABLE x; --"
	r, _ := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT :a * 2 AS a, :b AS b",
		Parameters: []*tcli.TSparkParameter{{Name: p("a"), Type: p("INT"), Value: sv("21")}, {Name: p("b"), Type: p("STRING"), Value: sv(evil)}}})
	if !ok(r.Status) {
		t.Fatalf("named parameters: %v", r.Status)
	}
	if rows := s.fetchAll(t, r.OperationHandle, 10); len(rows) != 1 || rows[0][0] != "42" || rows[0][1] != evil {
		t.Errorf("named parameters: %v", rows)
	}
	s.close(t, r.OperationHandle)
	bad, _ := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: "SELECT ?, ?",
		Parameters: []*tcli.TSparkParameter{{Type: p("INT"), Value: sv("1")}}})
	if bad.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || bad.Status.GetSqlState() != "07001" {
		t.Errorf("too few parameters: %v", bad.Status)
	}
}

// checkArrow: from Spark V5 a client that can read Arrow gets
// ARROW_BASED_SET, an IPC schema message and record batch messages with
// their row counts; from V6 batches may be LZ4 frames.
func checkArrow(t *testing.T, s *sess) {
	if !atLeast(s, tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V5) {
		return
	}
	for _, lz := range []bool{false, true} {
		r, err := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, RunAsync: true,
			Statement:           "SELECT id, id * 0.5 AS half, CAST(id AS VARCHAR) AS s, TIMESTAMP '2024-01-02 03:04:05' AS ts FROM range(3000) ORDER BY id",
			CanReadArrowResult_: new(true), CanDecompressLZ4Result_: new(lz),
			UseArrowNativeTypes: &tcli.TSparkArrowTypes{TimestampAsArrow: new(false), DecimalAsArrow: new(true)}})
		if err != nil || !ok(r.Status) {
			t.Fatalf("%v %v", err, r)
		}
		s.wait(t, r.OperationHandle)
		md := s.schema(t, r.OperationHandle)
		if md.GetResultFormat() != tcli.TSparkRowSetType_ARROW_BASED_SET || len(md.ArrowSchema) == 0 || md.GetLz4Compressed() != lz {
			t.Fatalf("lz4=%v: metadata %v", lz, md)
		}
		var total int64
		var ids []int64
		var ts string
		for {
			f, err := s.c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: r.OperationHandle, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: 1000})
			if err != nil || f.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
				t.Fatalf("%v %v", err, f)
			}
			if f.Results.StartRowOffset != total || f.Results.Rows == nil {
				t.Errorf("arrow page offset %d, want %d", f.Results.StartRowOffset, total)
			}
			for _, b := range f.Results.ArrowBatches {
				recs := decodeArrow(t, md.ArrowSchema, b.Batch, lz)
				for _, rec := range recs {
					if rec.NumRows() != b.RowCount {
						t.Errorf("batch rowCount %d, record has %d", b.RowCount, rec.NumRows())
					}
					col := rec.Column(0).(*array.Int64)
					for i := 0; i < col.Len(); i++ {
						ids = append(ids, col.Value(i))
					}
					if ts == "" {
						ts = rec.Column(3).ValueStr(0)
					}
					rec.Release()
				}
				total += b.RowCount
			}
			if !f.GetHasMoreRows() {
				break
			}
		}
		s.close(t, r.OperationHandle)
		if total != 3000 || len(ids) != 3000 || ids[2999] != 2999 || ids[1234] != 1234 {
			t.Errorf("lz4=%v: %d rows decoded, ids %d", lz, total, len(ids))
		}
		// timestampAsArrow false: timestamps travel as Spark's text.
		if ts != "2024-01-02 03:04:05" {
			t.Errorf("timestamp as text: %q", ts)
		}
	}
}

// decodeArrow reads an IPC schema message followed by one batch message,
// as the Databricks drivers concatenate them.
func decodeArrow(t *testing.T, schema, batch []byte, lz bool) []arrow.RecordBatch {
	t.Helper()
	if lz {
		b, err := io.ReadAll(lz4.NewReader(bytes.NewReader(batch)))
		if err != nil {
			t.Fatalf("LZ4 frame: %v", err)
		}
		batch = b
	}
	rd, err := ipc.NewReader(bytes.NewReader(append(append([]byte{}, schema...), batch...)))
	if err != nil {
		t.Fatalf("arrow schema: %v", err)
	}
	defer rd.Release()
	var out []arrow.RecordBatch
	for rd.Next() {
		rec := rd.RecordBatch()
		rec.Retain()
		out = append(out, rec)
	}
	if err := rd.Err(); err != nil && err != io.EOF {
		t.Fatalf("arrow batch: %v", err)
	}
	if len(out) == 0 {
		t.Fatalf("no record in an Arrow batch of %d bytes", len(batch))
	}
	return out
}
