package duckdb

import (
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// arrowOptions is what a Databricks client said it can read: which types
// may travel as native Arrow types (the others travel as strings, as
// Spark's Thrift server sends them) and whether batches may be LZ4 frames.
type arrowOptions struct {
	native tcli.TSparkArrowTypes
	lz4    bool
}

// arrowTable is a result kept as Arrow record batches, as DuckDB produced
// them (builds with the duckdb_arrow tag; see arrow.go).
type arrowTable interface {
	// schema is the HiveServer2 view of the columns.
	schema() *tcli.TTableSchema
	// schemaIPC is the Arrow IPC schema message (arrowSchema).
	schemaIPC() []byte
	// page takes up to n rows from the cursor as IPC record batch
	// messages; start is the offset of the page's first row.
	page(n int64, first bool) (batches []*tcli.TSparkArrowBatch, start int64, err error)
	hasMore() bool
	lz4() bool
	release()
}
