package duckdb

import (
	"errors"
	"strings"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// prepared is a statement classified before its handle is returned: what
// it runs (a SET form or a DuckDB plan) and so whether it answers a table.
type prepared struct {
	stmt string // after ${var} substitution, without trailing semicolons
	set  *setCmd
	plan plan
	// args are the client's parameters, bound to the plan's markers.
	args []any
	// rowLimit > 0 caps the rows kept (TExecuteStatementReq.resultRowLimit).
	rowLimit int64
	// arrow, when set, has the result kept and sent as Arrow batches.
	arrow *arrowOptions
}

// hasResultSet is the handle's flag: true for statements with a result
// schema (queries, SHOW, DESCRIBE, EXPLAIN and every SET form, which
// answers key/value rows as Spark's does), false for DDL and DML.
func (p prepared) hasResultSet() bool {
	return p.set != nil || p.plan.kind == planQuery
}

// prepare substitutes variables, rewrites stmt and binds its parameters; a
// statement the rewriter refuses, or whose parameters do not fit, fails
// here, in the ExecuteStatement reply.
func (ss *session) prepare(req *tcli.TExecuteStatementReq) (prepared, error) {
	p, err := ss.compile(req.Statement)
	if err != nil {
		return p, err
	}
	p.rowLimit = req.GetResultRowLimit()
	// Arrow results from Spark V5 on, LZ4 frames from V6 on, as the
	// Databricks drivers gate them.
	if req.GetCanReadArrowResult_() && arrowAvailable && p.set == nil && p.plan.kind == planQuery &&
		serve.SparkAtLeast(ss.protocol, tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V5) {
		p.arrow = &arrowOptions{lz4: req.GetCanDecompressLZ4Result_() && serve.SparkAtLeast(ss.protocol, tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V6)}
		if n := req.GetUseArrowNativeTypes(); n != nil {
			p.arrow.native = *n
		}
	}
	if len(req.Parameters) == 0 {
		return p, nil
	}
	if p.set != nil || p.plan.kind == planOverwrite || p.plan.kind == planNoop {
		return p, status.Errorf(StateParameter, 0, "this statement takes no parameters")
	}
	p.plan.sql, p.args, err = bindParameters(p.plan.sql, req.Parameters)
	return p, err
}

func (ss *session) compile(stmt string) (prepared, error) {
	stmt = strings.TrimSpace(ss.substitute(stmt))
	for strings.HasSuffix(stmt, ";") {
		stmt = strings.TrimSpace(strings.TrimSuffix(stmt, ";"))
	}
	p := prepared{stmt: stmt}
	if c, ok := parseSet(stmt); ok {
		p.set = c
		return p, nil
	}
	if err := sandboxRefusal(strings.Fields(stmt)); err != nil {
		return p, &status.Error{SQLState: "42000", Message: err.Error()}
	}
	pl, err := rewrite(stmt)
	var coded *status.Error
	if errors.As(err, &coded) {
		return p, coded
	}
	if err != nil {
		return p, &status.Error{SQLState: "42000", Message: err.Error()}
	}
	if ss.hiveOutput && pl.hiveSQL != "" {
		pl.sql = pl.hiveSQL
	}
	if !ss.ansi() {
		pl.sql = legacyCasts(pl.sql)
	}
	p.plan = pl
	return p, nil
}
