package server

import (
	"context"
	"testing"

	"github.com/apache/thrift/lib/go/thrift"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

func encodeFetch(t *testing.T, rs *tcli.TRowSet) []byte {
	t.Helper()
	more := true
	buf := thrift.NewTMemoryBuffer()
	resp := &tcli.TFetchResultsResp{Status: status.WithInfo("a warning", "another"), HasMoreRows: &more, Results: rs}
	if err := (&serve.Envelope{Name: "FetchResults_result", Body: resp}).Write(context.Background(), thrift.NewTBinaryProtocolConf(buf, nil)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The rows of a fetch reply are counted from its lengths, as the reply
// goes by undecoded: columnar, row-based and Arrow results; a compressed
// or malformed one is not counted.
func TestFetchedRows(t *testing.T) {
	cols := &tcli.TRowSet{Rows: []*tcli.TRow{}, Columns: []*tcli.TColumn{
		{StringVal: &tcli.TStringColumn{Values: []string{"a", "b", "c"}, Nulls: []byte{0}}},
		{I32Val: &tcli.TI32Column{Values: []int32{1, 2, 3}, Nulls: []byte{0}}},
	}}
	rowBased := &tcli.TRowSet{Rows: []*tcli.TRow{{ColVals: []*tcli.TColumnValue{}}, {ColVals: []*tcli.TColumnValue{}}}}
	arrow := &tcli.TRowSet{Rows: []*tcli.TRow{}, ArrowBatches: []*tcli.TSparkArrowBatch{{Batch: make([]byte, 300), RowCount: 1000}, {Batch: []byte{1}, RowCount: 24}}}
	empty := &tcli.TRowSet{Rows: []*tcli.TRow{}, Columns: []*tcli.TColumn{}}
	for _, c := range []struct {
		name string
		rs   *tcli.TRowSet
		rows int64
		ok   bool
	}{{"columnar", cols, 3, true}, {"row-based", rowBased, 2, true}, {"arrow", arrow, 1024, true}, {"empty", empty, 0, true},
		{"compressed", &tcli.TRowSet{Rows: []*tcli.TRow{}, BinaryColumns: []byte{1, 2, 3}}, 0, false}} {
		raw := encodeFetch(t, c.rs)
		if rows, ok := fetchedRows(raw); rows != c.rows || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.name, rows, ok, c.rows, c.ok)
		}
		if _, ok := fetchedRows(raw[:len(raw)/2]); ok && c.name == "arrow" {
			t.Errorf("%s: a truncated reply was counted", c.name)
		}
	}
	if _, ok := fetchedRows([]byte{0xff, 0, 1}); ok {
		t.Error("garbage was counted")
	}
}
