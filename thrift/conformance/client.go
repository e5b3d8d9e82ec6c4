package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

var bg = context.Background()

func ok(st *tcli.TStatus) bool {
	return st != nil && (st.StatusCode == tcli.TStatusCode_SUCCESS_STATUS || st.StatusCode == tcli.TStatusCode_SUCCESS_WITH_INFO_STATUS)
}

// exec runs stmt and checks the reply's handle.
func (s *sess) exec(t *testing.T, stmt string, async bool) *tcli.TOperationHandle {
	t.Helper()
	r, err := s.c.ExecuteStatement(bg, &tcli.TExecuteStatementReq{SessionHandle: s.h, Statement: stmt, RunAsync: async})
	if err != nil {
		t.Fatal(err)
	}
	if !ok(r.Status) {
		t.Fatalf("%s: %v", stmt, r.Status)
	}
	oh := r.OperationHandle
	if oh.OperationType != tcli.TOperationType_EXECUTE_STATEMENT || !isUUID4(oh.OperationId.GetGUID()) || !isUUID4(oh.OperationId.GetSecret()) {
		t.Errorf("%s: operation handle %v", stmt, oh)
	}
	return oh
}

// wait polls the operation until it leaves the running states.
func (s *sess) wait(t *testing.T, oh *tcli.TOperationHandle) *tcli.TGetOperationStatusResp {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := s.c.GetOperationStatus(bg, &tcli.TGetOperationStatusReq{OperationHandle: oh})
		if err != nil {
			t.Fatal(err)
		}
		if !ok(st.Status) {
			t.Fatalf("GetOperationStatus: %v", st.Status)
		}
		switch st.GetOperationState() {
		case tcli.TOperationState_INITIALIZED_STATE, tcli.TOperationState_PENDING_STATE, tcli.TOperationState_RUNNING_STATE:
			if time.Now().After(deadline) {
				t.Fatalf("operation still %s after 30s", st.GetOperationState())
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		return st
	}
}

func (s *sess) close(t *testing.T, oh *tcli.TOperationHandle) {
	t.Helper()
	r, err := s.c.CloseOperation(bg, &tcli.TCloseOperationReq{OperationHandle: oh})
	if err != nil || !ok(r.Status) {
		t.Errorf("CloseOperation: %v %v", err, r)
	}
}

// query runs a statement that answers rows and returns them as strings.
func (s *sess) query(t *testing.T, stmt string, async bool) [][]string {
	t.Helper()
	oh := s.exec(t, stmt, async)
	defer s.close(t, oh)
	if !oh.HasResultSet {
		t.Errorf("%s: hasResultSet false in the ExecuteStatement reply", stmt)
	}
	if st := s.wait(t, oh); st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		t.Fatalf("%s: %s %s", stmt, st.GetOperationState(), st.GetErrorMessage())
	}
	return s.fetchAll(t, oh, 1000)
}

// fetchAll reads every page with FETCH_NEXT and checks the page fields.
func (s *sess) fetchAll(t *testing.T, oh *tcli.TOperationHandle, pageSize int64) [][]string {
	t.Helper()
	var out [][]string
	for {
		r, err := s.c.FetchResults(bg, &tcli.TFetchResultsReq{OperationHandle: oh, Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("FetchResults: %v", r.Status)
		}
		rows := s.rows(t, r.Results)
		if r.Results.StartRowOffset != int64(len(out)) {
			t.Errorf("page startRowOffset %d, want %d (rows before it)", r.Results.StartRowOffset, len(out))
		}
		out = append(out, rows...)
		if !r.GetHasMoreRows() {
			return out
		}
		if len(rows) == 0 {
			t.Fatal("an empty page with hasMoreRows true")
		}
	}
}

// rows decodes a row set in the form the negotiated version uses: columns
// from V6 on, rows before (the required rows list is always present).
func (s *sess) rows(t *testing.T, rs *tcli.TRowSet) [][]string {
	t.Helper()
	if rs == nil || rs.Rows == nil {
		t.Fatalf("row set without its required rows list: %v", rs)
	}
	if !s.columnar() {
		if rs.Columns != nil {
			t.Errorf("%s: a columnar row set before V6", s.answer)
		}
		out := make([][]string, len(rs.Rows))
		for i, r := range rs.Rows {
			for _, v := range r.ColVals {
				out[i] = append(out[i], valueString(v))
			}
		}
		return out
	}
	if len(rs.Rows) != 0 {
		t.Errorf("%s: %d row-based rows in a columnar row set", s.answer, len(rs.Rows))
	}
	var out [][]string
	for ci, c := range rs.Columns {
		vals, nulls := columnStrings(c)
		if ci == 0 {
			out = make([][]string, len(vals))
		}
		for i, v := range vals {
			if i < len(nulls) && nulls[i] {
				v = "NULL"
			}
			if i < len(out) {
				out[i] = append(out[i], v)
			}
		}
	}
	return out
}

func bit(nulls []byte, i int) bool { return i/8 < len(nulls) && nulls[i/8]&(1<<(i%8)) != 0 }

func columnStrings(c *tcli.TColumn) ([]string, []bool) {
	var vals []string
	var nb []byte
	add := func(n int, f func(i int) string) {
		for i := 0; i < n; i++ {
			vals = append(vals, f(i))
		}
	}
	switch {
	case c.BoolVal != nil:
		add(len(c.BoolVal.Values), func(i int) string { return fmt.Sprint(c.BoolVal.Values[i]) })
		nb = c.BoolVal.Nulls
	case c.ByteVal != nil:
		add(len(c.ByteVal.Values), func(i int) string { return fmt.Sprint(c.ByteVal.Values[i]) })
		nb = c.ByteVal.Nulls
	case c.I16Val != nil:
		add(len(c.I16Val.Values), func(i int) string { return fmt.Sprint(c.I16Val.Values[i]) })
		nb = c.I16Val.Nulls
	case c.I32Val != nil:
		add(len(c.I32Val.Values), func(i int) string { return fmt.Sprint(c.I32Val.Values[i]) })
		nb = c.I32Val.Nulls
	case c.I64Val != nil:
		add(len(c.I64Val.Values), func(i int) string { return fmt.Sprint(c.I64Val.Values[i]) })
		nb = c.I64Val.Nulls
	case c.DoubleVal != nil:
		add(len(c.DoubleVal.Values), func(i int) string { return fmt.Sprint(c.DoubleVal.Values[i]) })
		nb = c.DoubleVal.Nulls
	case c.StringVal != nil:
		add(len(c.StringVal.Values), func(i int) string { return c.StringVal.Values[i] })
		nb = c.StringVal.Nulls
	case c.BinaryVal != nil:
		add(len(c.BinaryVal.Values), func(i int) string { return string(c.BinaryVal.Values[i]) })
		nb = c.BinaryVal.Nulls
	}
	nulls := make([]bool, len(vals))
	for i := range nulls {
		nulls[i] = bit(nb, i)
	}
	return vals, nulls
}

func valueString(v *tcli.TColumnValue) string {
	switch {
	case v.BoolVal != nil:
		return opt(v.BoolVal.Value)
	case v.ByteVal != nil:
		return opt(v.ByteVal.Value)
	case v.I16Val != nil:
		return opt(v.I16Val.Value)
	case v.I32Val != nil:
		return opt(v.I32Val.Value)
	case v.I64Val != nil:
		return opt(v.I64Val.Value)
	case v.DoubleVal != nil:
		return opt(v.DoubleVal.Value)
	case v.StringVal != nil:
		return opt(v.StringVal.Value)
	}
	return "NULL"
}

func opt[T any](p *T) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

// schema reads the result metadata and checks the fields every reply has.
func (s *sess) schema(t *testing.T, oh *tcli.TOperationHandle) *tcli.TGetResultSetMetadataResp {
	t.Helper()
	md, err := s.c.GetResultSetMetadata(bg, &tcli.TGetResultSetMetadataReq{OperationHandle: oh})
	if err != nil {
		t.Fatal(err)
	}
	if md.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("GetResultSetMetadata: %v", md.Status)
	}
	// @databricks/sql fails with "Unsupported result format: undefined"
	// without resultFormat.
	if !md.IsSetResultFormat() {
		t.Error("GetResultSetMetadata without resultFormat")
	}
	for i, c := range md.Schema.Columns {
		if c.Position != int32(i+1) {
			t.Errorf("column %s at position %d, want %d", c.ColumnName, c.Position, i+1)
		}
	}
	return md
}
