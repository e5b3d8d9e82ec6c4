//go:build duckdb_arrow

package duckdb

import (
	"context"
	"testing"

	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// BenchmarkFetchFormats measures the engine's side of a 1M-row numeric
// result: buffering and encoding every page, as columns and as Arrow.
func BenchmarkFetchFormats(b *testing.B) {
	s, err := Open(Config{ID: "bench", Threads: 2}, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	v := int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8)
	r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: -7, ClientProtocolI64: &v})
	const q = "SELECT id, id * 2 AS twice, CAST(id AS DOUBLE) / 3 AS third FROM range(1000000)"
	for _, arrow := range []bool{false, true} {
		name := "columnar"
		if arrow {
			name = "arrow"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: q, CanReadArrowResult_: &arrow})
				rows := 0
				for {
					f, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: e.OperationHandle, MaxRows: 100000})
					for _, bt := range f.Results.ArrowBatches {
						rows += int(bt.RowCount)
					}
					if len(f.Results.Columns) > 0 {
						rows += len(f.Results.Columns[0].I64Val.Values)
					}
					if !f.GetHasMoreRows() {
						break
					}
				}
				if rows != 1000000 {
					b.Fatalf("%d rows", rows)
				}
				_, _ = s.CloseOperation(context.Background(), &tcli.TCloseOperationReq{OperationHandle: e.OperationHandle})
			}
		})
	}
}
