//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"errors"
)

// Built without the duckdb_arrow tag, the engine has no Arrow output: it
// answers Spark clients with SPARK_CLI_SERVICE_PROTOCOL_V4 at most, so they
// ask for columnar results (make builds with the tag).
const arrowAvailable = false

func queryArrow(context.Context, *sql.Conn, string, []any, arrowOptions, resultCap, int64) (arrowTable, error) {
	return nil, errors.New("this kitsune was built without Arrow support (build tag duckdb_arrow)")
}
