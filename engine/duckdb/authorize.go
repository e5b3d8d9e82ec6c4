package duckdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	duck "github.com/duckdb/duckdb-go/v2"
	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/authz"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// PolicySource is where an engine's authorization policies come from
// (authz.File: the policy file, read again when it changes).
type PolicySource interface {
	Policies() *authz.Policies
}

var _ PolicySource = (*authz.File)(nil)

// authorizer decides, before each statement runs, whether the session's
// user may do what the statement's plan does (docs/authorization.md).
type authorizer struct {
	src PolicySource
	// mainCatalog is the tenant's DuckDB catalog: its schemas are the
	// Spark databases (main is default).
	mainCatalog string
	audit       *zap.Logger
	// readDirs and writeDirs are the shared locations' directories: the
	// only places files are read from (written to) with authorization, as
	// the engine's own directory may hold several users' data.
	readDirs, writeDirs []string
}

// fileAllowed reports whether path lies in one of dirs (links resolved).
func fileAllowed(path string, dirs []string) bool {
	p := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		p = r
	} else if r, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		p = filepath.Join(r, filepath.Base(path))
	}
	if !filepath.IsAbs(p) {
		return false
	}
	for _, d := range dirs {
		if rd, err := filepath.EvalSymlinks(d); err == nil {
			d = rd
		}
		if rel, err := filepath.Rel(d, p); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// database is the Ranger database a DuckDB table lives in: the schema in
// the tenant's catalog, the catalog for an attached one (a shared
// database). The session's temporary objects (temp) are its own.
func (a *authorizer) database(ref tableRef) (string, bool) {
	switch {
	case strings.EqualFold(ref.catalog, "temp"):
		return "", false
	case ref.catalog == "" || strings.EqualFold(ref.catalog, a.mainCatalog):
		return sparkSchema(ref.schema), true
	case ref.schema == "" || ref.schema == "main":
		return ref.catalog, true
	}
	return ref.catalog + "." + ref.schema, true
}

func denied(user, access string, r authz.Resource) error {
	return &status.Error{SQLState: "42000", Code: status.CodeAuthzDenied, Message: authz.Denial(user, access, r)}
}

func unverified(msg string) error {
	return &status.Error{SQLState: "42000", Code: status.CodeAuthzUnverified, Message: msg}
}

// check asks one access and writes the decision to the audit log.
func (a *authorizer) check(c authz.Checker, ss *session, op string, access string, r authz.Resource) error {
	d := c.Decide(access, r)
	a.audit.Info("authorization decision", zap.String("user", ss.user), zap.Strings("groups", ss.groups), zap.String("operation", op),
		zap.String("access", access), zap.String("resource", r.String()), zap.Bool("allowed", d.Allowed), zap.Int64("policy_id", d.PolicyID))
	if !d.Allowed {
		return denied(ss.user, access, r)
	}
	return nil
}

func (ss *session) subject() authz.Subject { return authz.Subject{User: ss.user, Groups: ss.groups} }

// authorizeSQL checks one DuckDB statement against the policies and
// answers the SQL to run: the statement itself, or the statement reading
// filtered and masked views where row filters or masks apply.
func (s *Service) authorizeSQL(ctx context.Context, ss *session, opID, sqlText string) (string, error) {
	a := s.authz
	if inner, ok := explainInner(sqlText); ok {
		// EXPLAIN has no plan of its own to check: the statement it
		// explains is checked; guards would change that statement.
		q, err := s.authorizeSQL(ctx, ss, opID, inner)
		if err != nil {
			return "", err
		}
		if q != inner {
			return "", unverified("EXPLAIN of a statement that reads a table under a row filter or a mask is refused with kitsune.authorization.enabled: run the query itself")
		}
		return sqlText, nil
	}
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_plan(?::VARCHAR)::VARCHAR", sqlText).Scan(&doc); err != nil {
		return "", sqlError(err)
	}
	pa, err := analyzePlan([]byte(doc))
	var pe planError
	if errors.As(err, &pe) {
		// DuckDB could not plan it for us: either the statement is wrong
		// (its own error says how), or it is a form with no plan to check.
		if perr := prepareOnly(ss, sqlText); perr != nil {
			return "", sqlError(perr)
		}
		return "", unverified("this statement form has no plan that policies can be checked against, so it is refused with kitsune.authorization.enabled (" + pe.Error() + ")")
	}
	if err != nil {
		return "", sqlError(err)
	}
	if pa.refusal != "" {
		a.audit.Info("authorization refusal", zap.String("user", ss.user), zap.String("operation", opID), zap.String("reason", pa.refusal))
		return "", unverified(pa.refusal)
	}
	for _, f := range pa.files {
		if !fileAllowed(f, a.readDirs) {
			return "", unverified("reading " + f + " is refused with kitsune.authorization.enabled: files are read only from the shared locations open to the user (kitsune.engine.local.shared.<name>.*); tables are governed by policies")
		}
	}
	for _, f := range pa.written {
		if !fileAllowed(f, a.writeDirs) {
			return "", unverified("writing " + f + " is refused with kitsune.authorization.enabled: files are written only into the shared locations the user may write (kitsune.engine.local.shared.<name>.write.*)")
		}
	}
	c := a.src.Policies().For(ss.subject())
	if err := a.checkAccess(c, ss, opID, pa); err != nil {
		return "", err
	}
	return s.applyGuards(ctx, ss, c, opID, pa, sqlText)
}

// checkAccess asks for every column read and every object written.
func (a *authorizer) checkAccess(c authz.Checker, ss *session, opID string, pa *planAccess) error {
	for _, ref := range sortedRefs(pa.reads) {
		db, ok := a.database(ref)
		if !ok {
			continue
		}
		cols := slices.Sorted(maps.Keys(pa.reads[ref]))
		if len(cols) == 0 {
			if err := a.check(c, ss, opID, authz.Select, authz.Resource{Database: db, Table: ref.table}); err != nil {
				return err
			}
		}
		for _, col := range cols {
			if err := a.check(c, ss, opID, authz.Select, authz.Resource{Database: db, Table: ref.table, Column: col}); err != nil {
				return err
			}
		}
	}
	for _, w := range pa.writes {
		db, _ := a.database(w.ref)
		if w.ref.schema == "" && w.ref.table == "" {
			db = ""
		}
		if err := a.check(c, ss, opID, w.access, authz.Resource{Database: db, Table: w.ref.table}); err != nil {
			return err
		}
	}
	return nil
}

// explainInner is what EXPLAIN [ANALYZE] explains (the prefix holds no
// literal, so its tokens are the source's own text).
func explainInner(q string) (string, bool) {
	toks := lex(q)
	off, i := 0, 0
	skip := func() {
		for i < len(toks) && !toks[i].significant() {
			off += len(toks[i].text)
			i++
		}
	}
	skip()
	if i >= len(toks) || !toks[i].is("EXPLAIN") {
		return "", false
	}
	off += len(toks[i].text)
	i++
	skip()
	if i < len(toks) && toks[i].is("ANALYZE") {
		off += len(toks[i].text)
		i++
	}
	if off > len(q) || strings.TrimSpace(q[off:]) == "" {
		return "", false
	}
	return q[off:], true
}

// prepareOnly binds a single statement without running it.
func prepareOnly(ss *session, q string) error {
	return ss.conn.Raw(func(dc any) error {
		c, ok := dc.(*duck.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		st, err := c.Prepare(q)
		if err != nil {
			return err
		}
		return st.Close()
	})
}

func sortedRefs[V any](m map[tableRef]V) []tableRef {
	return slices.SortedFunc(maps.Keys(m), func(x, y tableRef) int {
		return cmp.Or(cmp.Compare(x.catalog, y.catalog), cmp.Compare(x.schema, y.schema), cmp.Compare(x.table, y.table))
	})
}

// authorizePlan runs authorizeSQL over every statement of a plan,
// rewriting them where guards apply; metadata statements are filtered
// instead (authorize_meta.go).
func (s *Service) authorizePlan(ctx context.Context, op *operation, p plan) (plan, error) {
	id := opIDOf(op.handle)
	if p.sql != "" {
		q, err := s.authorizeSQL(ctx, op.sess, id, p.sql)
		if err != nil {
			return p, err
		}
		p.sql = q
	}
	for i, q := range p.sqls {
		q2, err := s.authorizeSQL(ctx, op.sess, id, q)
		if err != nil {
			return p, err
		}
		p.sqls[i] = q2
	}
	return p, nil
}

func opIDOf(h *tcli.TOperationHandle) string {
	if h == nil || h.OperationId == nil {
		return ""
	}
	return serve.HandleID(h.OperationId.GUID)
}
