//go:build duckdb_arrow

package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duck "github.com/duckdb/duckdb-go/v2"
	"github.com/pierrec/lz4/v4"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// arrowAvailable: this build answers Arrow results from DuckDB's own Arrow
// output (duckdb-go's Arrow interface, the duckdb_arrow build tag).
const arrowAvailable = true

var _ arrowTable = (*arrowResult)(nil)

// arrowResult holds a query's record batches, adapted to what the client
// can read, and a cursor over them.
type arrowResult struct {
	sch   *arrow.Schema
	cols  []colType
	recs  []arrow.RecordBatch
	rows  int64
	pos   int64
	useLZ bool
	// pending are DuckDB's small batches (a vector, 2048 rows) not yet
	// joined into one of coalesceRows: fewer, larger IPC messages cost
	// less to encode, send and decode.
	pending     []arrow.RecordBatch
	pendingRows int64
}

// coalesceRows is the size batches are joined to.
const coalesceRows = 64 << 10

func (r *arrowResult) add(rec arrow.RecordBatch) {
	r.pending = append(r.pending, rec)
	r.pendingRows += rec.NumRows()
	if r.pendingRows >= coalesceRows {
		_ = r.flush()
	}
}

// flush joins the pending batches into one.
func (r *arrowResult) flush() error {
	defer func() { r.pending, r.pendingRows = nil, 0 }()
	switch len(r.pending) {
	case 0:
		return nil
	case 1:
		r.recs = append(r.recs, r.pending[0])
		return nil
	}
	cols := make([]arrow.Array, r.sch.NumFields())
	for i := range cols {
		parts := make([]arrow.Array, len(r.pending))
		for j, p := range r.pending {
			parts[j] = p.Column(i)
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			for _, p := range r.pending {
				p.Release()
			}
			return fmt.Errorf("join Arrow batches: %w", err)
		}
		cols[i] = c
	}
	joined := array.NewRecordBatch(r.sch, cols, r.pendingRows)
	for _, c := range cols {
		c.Release()
	}
	for _, p := range r.pending {
		p.Release()
	}
	r.recs = append(r.recs, joined)
	return nil
}

// queryArrow runs query through DuckDB's Arrow interface on conn and keeps
// every batch (the engine buffers results, as for columnar ones).
func queryArrow(ctx context.Context, conn *sql.Conn, query string, args []any, opts arrowOptions, within resultCap, limit int64) (arrowTable, error) {
	res := &arrowResult{useLZ: opts.lz4}
	err := conn.Raw(func(dc any) error {
		dconn, ok := dc.(*duck.Conn)
		if !ok {
			return fmt.Errorf("not a DuckDB connection: %T", dc)
		}
		a, err := duck.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rr, err := a.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rr.Release()
		ad := newAdapter(rr.Schema(), opts.native)
		var size int64
		res.sch, res.cols = ad.schema, ad.cols
		for rr.Next() {
			rec := rr.RecordBatch()
			n := rec.NumRows()
			if limit > 0 && res.rows+n > limit {
				n = limit - res.rows
			}
			if err := within.check(res.rows+n, size); err != nil {
				return err
			}
			if n > 0 {
				out, err := ad.adapt(rec.NewSlice(0, n))
				if err != nil {
					return err
				}
				size += recordBytes(out)
				res.add(out)
				res.rows += n
				if err := within.check(res.rows, size); err != nil {
					return err
				}
			}
			if limit > 0 && res.rows >= limit {
				break
			}
		}
		if err := rr.Err(); err != nil {
			return err
		}
		return res.flush()
	})
	if err != nil {
		res.release()
		return nil, err
	}
	return res, nil
}

// recordBytes is the memory rec's buffers hold, children included.
func recordBytes(rec arrow.RecordBatch) int64 {
	var n int64
	var walk func(d arrow.ArrayData)
	walk = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			walk(c)
		}
	}
	for _, col := range rec.Columns() {
		walk(col.Data())
	}
	return n
}

func (r *arrowResult) schema() *tcli.TTableSchema {
	s := &tcli.TTableSchema{Columns: []*tcli.TColumnDesc{}}
	for i, f := range r.sch.Fields() {
		s.Columns = append(s.Columns, &tcli.TColumnDesc{ColumnName: f.Name, TypeDesc: r.cols[i].typeDesc(), Position: int32(i + 1)})
	}
	return s
}

func (r *arrowResult) schemaIPC() []byte {
	p := ipc.GetSchemaPayload(r.sch, memory.DefaultAllocator)
	defer p.Release()
	var b bytes.Buffer
	_, _ = p.WritePayload(&b)
	return b.Bytes()
}

func (r *arrowResult) hasMore() bool { return r.pos < r.rows }
func (r *arrowResult) lz4() bool     { return r.useLZ }

func (r *arrowResult) page(n int64, first bool) ([]*tcli.TSparkArrowBatch, int64, error) {
	if first {
		r.pos = 0
	}
	if n <= 0 {
		n = 1000
	}
	start := r.pos
	end := min(r.rows, start+n)
	var out []*tcli.TSparkArrowBatch
	var off int64
	for _, rec := range r.recs {
		recEnd := off + rec.NumRows()
		if recEnd > start && off < end {
			from, to := max(start, off)-off, min(end, recEnd)-off
			b, err := r.encode(rec.NewSlice(from, to))
			if err != nil {
				return nil, 0, err
			}
			out = append(out, &tcli.TSparkArrowBatch{Batch: b, RowCount: to - from})
		}
		off = recEnd
	}
	r.pos = end
	return out, start, nil
}

// encode is one IPC record batch message, an LZ4 frame of it when the
// client can decompress them.
func (r *arrowResult) encode(rec arrow.RecordBatch) ([]byte, error) {
	defer rec.Release()
	p, err := ipc.GetRecordBatchPayload(rec)
	if err != nil {
		return nil, err
	}
	defer p.Release()
	var b bytes.Buffer
	if _, err := p.WritePayload(&b); err != nil {
		return nil, err
	}
	if !r.useLZ {
		return b.Bytes(), nil
	}
	var z bytes.Buffer
	w := lz4.NewWriter(&z)
	if _, err := w.Write(b.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

func (r *arrowResult) release() {
	for _, rec := range append(r.recs, r.pending...) {
		rec.Release()
	}
	r.recs, r.pending = nil, nil
}
