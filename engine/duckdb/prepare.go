package duckdb

import (
	"strings"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// prepared is a statement classified before its handle is returned: what
// it runs (a SET form or a DuckDB plan) and so whether it answers a table.
type prepared struct {
	stmt string // after ${var} substitution, without trailing semicolons
	set  *setCmd
	plan plan
}

// hasResultSet is the handle's flag: true for statements with a result
// schema (queries, SHOW, DESCRIBE, EXPLAIN and every SET form, which
// answers key/value rows as Spark's does), false for DDL and DML.
func (p prepared) hasResultSet() bool {
	return p.set != nil || p.plan.kind == planQuery
}

// prepare substitutes variables and rewrites stmt; a statement the rewriter
// refuses fails here, in the ExecuteStatement reply.
func (ss *session) prepare(stmt string) (prepared, error) {
	stmt = strings.TrimSpace(ss.substitute(stmt))
	for strings.HasSuffix(stmt, ";") {
		stmt = strings.TrimSpace(strings.TrimSuffix(stmt, ";"))
	}
	p := prepared{stmt: stmt}
	if c, ok := parseSet(stmt); ok {
		p.set = c
		return p, nil
	}
	pl, err := rewrite(stmt)
	if err != nil {
		return p, &status.Error{SQLState: "42000", Message: err.Error()}
	}
	p.plan = pl
	return p, nil
}
