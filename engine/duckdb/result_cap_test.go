package duckdb

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// A result larger than kitsune.operation.result.max.bytes fails with
// SQLSTATE 54000 naming the key, on the columnar and the Arrow path; a
// result within it, and the session after the refusal, work.
func TestResultBytesAreBounded(t *testing.T) {
	s, err := Open(Config{ID: "cap", Threads: 2, MaxResultBytes: 1 << 20}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8)
	o, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: -7, ClientProtocolI64: &v})
	for _, arrow := range []bool{false, true} {
		exec := func(q string) *tcli.TExecuteStatementResp {
			r, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: o.SessionHandle, Statement: q, CanReadArrowResult_: &arrow})
			return r
		}
		// About 5 MB of text: refused.
		big := exec("SELECT repeat('x', 1000) AS s FROM range(5000)")
		if big.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || big.Status.GetSqlState() != "54000" ||
			!strings.Contains(big.Status.GetErrorMessage(), "kitsune.operation.result.max.bytes") {
			t.Errorf("arrow=%v: 5 MB result under a 1 MiB cap: %v %q %q", arrow, big.Status.StatusCode, big.Status.GetSqlState(), big.Status.GetErrorMessage())
		}
		// About 100 KB: served, and the session is still usable.
		small := exec("SELECT repeat('x', 100) AS s FROM range(1000)")
		if small.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("arrow=%v: 100 KB result under a 1 MiB cap: %v", arrow, small.Status.GetErrorMessage())
		}
		// Many narrow rows count too: 8 bytes × 1M > 1 MiB.
		wide := exec("SELECT id FROM range(1000000)")
		if wide.Status.GetSqlState() != "54000" {
			t.Errorf("arrow=%v: 8 MB of BIGINT under a 1 MiB cap: %v %q", arrow, wide.Status.StatusCode, wide.Status.GetErrorMessage())
		}
	}
}
