package duckdb

import (
	"context"
	"strings"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/authz"
)

// Metadata statements (SHOW, DESCRIBE) and calls (GetSchemas, GetTables,
// GetColumns) list only what the session's user may see: a database,
// table or column is listed when some policy allows some access on it or
// inside it (Ranger's "any" access).

type metaKind int

const (
	metaDatabases metaKind = iota + 1
	metaTables
	metaColumns // DESCRIBE, SHOW COLUMNS: rows start with the column name
	metaCreate  // SHOW CREATE TABLE
	metaFunctions
)

// metaPlan marks a rewritten metadata statement.
type metaPlan struct {
	kind metaKind
	// sparkSQL is SHOW TABLES in Spark's form (namespace, tableName,
	// isTemporary), which the filter reads whatever form is answered.
	sparkSQL string
	// table is the described table, as SQL.
	table string
}

// visible reports whether the session may see r (always, without
// authorization).
func (s *Service) visible(ss *session, r authz.Resource) bool {
	if s.authz == nil {
		return true
	}
	return s.authz.src.Policies().For(ss.subject()).Visible(r)
}

// guardView reports whether a temporary view is one of authorization's
// filtered and masked views, which listings leave out.
func guardView(name string) bool { return strings.HasPrefix(name, "kitsune_authz_") }

// listAuthorized runs a metadata statement, keeping the rows the user
// may see.
func (s *Service) listAuthorized(ctx context.Context, op *operation, p plan) (*resultSet, error) {
	ss := op.sess
	c := s.authz.src.Policies().For(ss.subject())
	keep := func([]any) bool { return true }
	q := p.sql
	switch p.meta.kind {
	case metaDatabases:
		keep = func(r []any) bool { return c.Visible(authz.Resource{Database: str(r[0])}) }
	case metaTables:
		q = p.meta.sparkSQL
		keep = func(r []any) bool {
			if b, _ := r[2].(bool); b {
				return !guardView(str(r[1]))
			}
			return c.Visible(authz.Resource{Database: str(r[0]), Table: str(r[1])})
		}
	case metaColumns, metaCreate:
		db, table, base, err := s.describedTable(ctx, ss, c, opIDOf(op.handle), p.meta.table)
		if err != nil {
			return nil, err
		}
		if p.meta.kind == metaColumns && base {
			keep = func(r []any) bool { return c.Visible(authz.Resource{Database: db, Table: table, Column: str(r[0])}) }
		}
	}
	names, types, rows, err := s.queryTable(ctx, ss, q)
	if err != nil {
		return nil, sqlError(err)
	}
	kept := rows[:0]
	for _, r := range rows {
		if keep(r) {
			kept = append(kept, r)
		}
	}
	if p.meta.kind == metaTables && ss.hiveOutput {
		names, types = []string{"tab_name"}, types[1:2]
		for i, r := range kept {
			kept[i] = r[1:2]
		}
	}
	s.authz.audit.Info("authorization listing", zap.String("user", ss.user), zap.String("operation", opIDOf(op.handle)),
		zap.Int("listed", len(kept)), zap.Int("hidden", len(rows)-len(kept)))
	specs := make([]string, len(names))
	for i := range names {
		specs[i] = names[i] + " " + types[i]
	}
	return table(specs, kept), nil
}

// describedTable resolves a described table through DuckDB's plan of
// reading it: every table it reads must be visible. base reports a table
// (not a view), whose columns are then filtered one by one.
func (s *Service) describedTable(ctx context.Context, ss *session, c authz.Checker, opID, name string) (db, table string, base bool, err error) {
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_plan(?::VARCHAR)::VARCHAR", "SELECT * FROM "+name).Scan(&doc); err != nil {
		return "", "", false, sqlError(err)
	}
	pa, err := analyzePlan([]byte(doc))
	if err != nil {
		return "", "", false, sqlError(err)
	}
	for _, ref := range sortedRefs(pa.reads) {
		d, ok := s.authz.database(ref)
		if !ok {
			continue
		}
		r := authz.Resource{Database: d, Table: ref.table}
		visible := c.Visible(r)
		s.authz.audit.Info("authorization decision", zap.String("user", ss.user), zap.String("operation", opID),
			zap.String("access", "describe"), zap.String("resource", r.String()), zap.Bool("allowed", visible))
		if !visible {
			return "", "", false, denied(ss.user, authz.Select, r)
		}
		db, table = d, ref.table
	}
	parts := strings.Split(name, ".")
	base = len(pa.reads) == 1 && strings.EqualFold(strings.Trim(parts[len(parts)-1], `"`), table)
	return db, table, base, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// queryTable runs an engine-made query, keeping its column names and
// DuckDB types.
func (s *Service) queryTable(ctx context.Context, ss *session, q string) ([]string, []string, [][]any, error) {
	rows, err := ss.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, nil, err
	}
	names, types := make([]string, len(cts)), make([]string, len(cts))
	for i, ct := range cts {
		names[i], types[i] = ct.Name(), ct.DatabaseTypeName()
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, nil, err
		}
		out = append(out, vals)
	}
	return names, types, out, rows.Err()
}
