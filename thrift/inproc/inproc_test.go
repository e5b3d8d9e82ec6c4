package inproc

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/apache/thrift/lib/go/thrift"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

func TestTypedAndRawCalls(t *testing.T) {
	ctx := context.Background()
	e := NewEngine()
	c := Dial(e)
	user := "ann"
	open, err := c.OpenSession(ctx, &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &user})
	if err != nil || open.SessionHandle == nil || e.Sessions() != 1 {
		t.Fatalf("open: %+v %v", open, err)
	}
	ex, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: open.SessionHandle, Statement: "SELECT 1"})
	if err != nil || !ex.OperationHandle.HasResultSet {
		t.Fatalf("execute: %+v %v", ex, err)
	}
	args := tcli.NewTCLIServiceFetchResultsArgs()
	args.Req = &tcli.TFetchResultsReq{OperationHandle: ex.OperationHandle, MaxRows: 10}
	typ, raw, err := c.CallRaw(ctx, "FetchResults", args)
	if err != nil || typ != thrift.REPLY {
		t.Fatalf("raw fetch: %v %v", typ, err)
	}
	res := tcli.NewTCLIServiceFetchResultsResult()
	if err := res.Read(ctx, thrift.NewTBinaryProtocolConf(thrift.NewStreamTransportR(bytes.NewReader(raw)), nil)); err != nil {
		t.Fatal(err)
	}
	if v := res.Success.Results.Columns[0].StringVal.Values; len(v) != 1 || v[0] != "SELECT 1" {
		t.Errorf("raw fetch rows %v", v)
	}
	// The typed client works on after a raw call.
	if st, err := c.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: ex.OperationHandle}); err != nil || st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		t.Errorf("status after raw: %+v %v", st, err)
	}
	if r, _ := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: open.SessionHandle, Statement: "FAIL now"}); r.Status.GetSqlState() != "42000" {
		t.Errorf("FAIL statement: %+v", r.Status)
	}
	if e.Calls("ExecuteStatement") != 2 || e.Calls("FetchResults") != 1 {
		t.Errorf("calls counted: execute %d fetch %d", e.Calls("ExecuteStatement"), e.Calls("FetchResults"))
	}
	c.Close()
	if _, err := c.GetInfo(ctx, &tcli.TGetInfoReq{SessionHandle: open.SessionHandle}); !errors.Is(err, ErrClosed) {
		t.Errorf("call on a closed connection: %v", err)
	}
}
