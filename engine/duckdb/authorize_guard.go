package duckdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/authz"
)

// Row filters and masks are applied by rewriting the statement's table
// references (in DuckDB's own parse of it, json_serialize_sql) to views
// that filter and mask the table, so that what the client sends cannot
// reach the table around them. A guarded table read any other way (a
// view, a table function, a statement other than a query) is refused.

// guard is one table that a row filter or masks apply to.
type guard struct {
	ref  tableRef
	res  authz.Resource
	view string
	def  string
}

// guards are the filtered and masked views the statement's reads need.
func (s *Service) guards(ss *session, c authz.Checker, opID string, pa *planAccess) []guard {
	var out []guard
	for _, ref := range sortedRefs(pa.reads) {
		db, ok := s.authz.database(ref)
		if !ok {
			continue
		}
		f, filtered := c.RowFilter(db, ref.table)
		masked := false
		var cols []string
		for _, col := range pa.allColumns[ref] {
			m, ok := c.Mask(authz.Resource{Database: db, Table: ref.table, Column: col})
			if !ok {
				cols = append(cols, sqlIdent(col))
				continue
			}
			masked = true
			cols = append(cols, maskSQL(m, sqlIdent(col))+" AS "+sqlIdent(col))
			s.authz.audit.Info("authorization mask", zap.String("user", ss.user), zap.String("operation", opID),
				zap.String("resource", db+"/"+ref.table+"/"+col), zap.String("mask", m.Type), zap.Int64("policy_id", m.PolicyID))
		}
		if !filtered && !masked {
			continue
		}
		def := "SELECT " + strings.Join(cols, ", ") + " FROM " + sqlIdent(ref.catalog) + "." + sqlIdent(ref.schema) + "." + sqlIdent(ref.table)
		if filtered {
			def += " WHERE (" + render(rewriteExpr(lex(f.Expr))) + ")"
			s.authz.audit.Info("authorization row filter", zap.String("user", ss.user), zap.String("operation", opID),
				zap.String("resource", db+"/"+ref.table), zap.Int64("policy_id", f.PolicyID))
		}
		sum := sha256.Sum256([]byte(def))
		out = append(out, guard{ref: ref, res: authz.Resource{Database: db, Table: ref.table}, view: "kitsune_authz_" + hex.EncodeToString(sum[:8]), def: def})
	}
	return out
}

// maskSQL is a mask as DuckDB SQL, with the results Kyuubi's Spark
// authorization plugin gives (upper-case letters X, lower-case x, digits
// n, anything else U; MASK_HASH is md5 of the text).
func maskSQL(m authz.ColumnMask, col string) string {
	text := "CAST(" + col + " AS VARCHAR)"
	mask := func(e string) string {
		e = "regexp_replace(" + e + ", '[A-Z]', 'X', 'g')"
		e = "regexp_replace(" + e + ", '[a-z]', 'x', 'g')"
		e = "regexp_replace(" + e + ", '[0-9]', 'n', 'g')"
		return "regexp_replace(" + e + ", '[^A-Za-z0-9]', 'U', 'g')"
	}
	switch m.Type {
	case authz.MaskNull:
		return "(CASE WHEN false THEN " + col + " END)"
	case authz.MaskHash:
		return "md5(" + text + ")"
	case authz.MaskShowFirst4:
		return "(left(" + text + ", 4) || " + mask("substr("+text+", 5)") + ")"
	case authz.MaskShowLast4:
		return "((CASE WHEN length(" + text + ") > 4 THEN " + mask("left("+text+", length("+text+") - 4)") + " ELSE '' END) || right(" + text + ", 4))"
	case authz.MaskDateShowYear:
		return "date_trunc('year', " + col + ")"
	case authz.MaskCustom:
		return "(" + render(rewriteExpr(lex(strings.ReplaceAll(m.ValueExpr, "{col}", col)))) + ")"
	}
	return mask(text)
}

// applyGuards rewrites sqlText to read the guarded tables through their
// views, or refuses it.
func (s *Service) applyGuards(ctx context.Context, ss *session, c authz.Checker, opID string, pa *planAccess, sqlText string) (string, error) {
	gs := s.guards(ss, c, opID, pa)
	if len(gs) == 0 {
		return sqlText, nil
	}
	onlyQuery := unverified(fmt.Sprintf("a row filter or a mask applies to [%s] for user [%s]: only a query (SELECT) may read it", gs[0].res, ss.user))
	if len(pa.writes) > 0 {
		return "", onlyQuery
	}
	var doc string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", sqlText).Scan(&doc); err != nil {
		return "", sqlError(err)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber() // query locations are uint64: keep them exact
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return "", fmt.Errorf("read the statement's parse: %w", err)
	}
	if e, _ := root["error"].(bool); e {
		return "", onlyQuery
	}
	var cur [2]string
	if err := ss.conn.QueryRowContext(ctx, "SELECT current_database(), current_schema()").Scan(&cur[0], &cur[1]); err != nil {
		return "", sqlError(err)
	}
	rw := refRewriter{guards: gs, catalog: cur[0], schema: cur[1], ctes: map[string]bool{}, named: map[int]int{}}
	rw.collectCTEs(root)
	rw.walk(root)
	for i, g := range gs {
		if pa.scans[g.ref] > rw.named[i] {
			return "", unverified(fmt.Sprintf("a row filter or a mask applies to [%s] for user [%s], and this query reads it other than by its name (through a view or a table function): name the table in the query", g.res, ss.user))
		}
	}
	for _, g := range gs {
		if _, err := ss.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW "+sqlIdent(g.view)+" AS "+g.def); err != nil {
			return "", sqlError(fmt.Errorf("apply the row filter or mask on [%s] (check the policy's expression): %w", g.res, err))
		}
	}
	out, err := json.Marshal(root)
	if err != nil {
		return "", err
	}
	var q string
	if err := ss.conn.QueryRowContext(ctx, "SELECT json_deserialize_sql(?::JSON)", string(out)).Scan(&q); err != nil {
		return "", sqlError(err)
	}
	return q, nil
}

// refRewriter points a parse tree's references to guarded tables at
// their views, counting them.
type refRewriter struct {
	guards          []guard
	catalog, schema string
	ctes            map[string]bool
	named           map[int]int
}

func (rw *refRewriter) collectCTEs(v any) {
	switch n := v.(type) {
	case []any:
		for _, c := range n {
			rw.collectCTEs(c)
		}
	case map[string]any:
		if cm, ok := n["cte_map"].(map[string]any); ok {
			entries, _ := cm["map"].([]any)
			for _, e := range entries {
				if m, ok := e.(map[string]any); ok {
					if k, ok := m["key"].(string); ok {
						rw.ctes[strings.ToLower(k)] = true
					}
				}
			}
		}
		for _, c := range n {
			rw.collectCTEs(c)
		}
	}
}

func (rw *refRewriter) walk(v any) {
	switch n := v.(type) {
	case []any:
		for _, c := range n {
			rw.walk(c)
		}
	case map[string]any:
		if t, _ := n["type"].(string); t == "BASE_TABLE" {
			rw.table(n)
			return
		}
		for _, c := range n {
			rw.walk(c)
		}
	}
}

func (rw *refRewriter) table(n map[string]any) {
	cat, _ := n["catalog_name"].(string)
	sch, _ := n["schema_name"].(string)
	name, _ := n["table_name"].(string)
	if cat == "" && sch == "" && rw.ctes[strings.ToLower(name)] {
		return // a CTE's name
	}
	for i, g := range rw.guards {
		if !rw.names(cat, sch, name, g.ref) {
			continue
		}
		rw.named[i]++
		if a, _ := n["alias"].(string); a == "" {
			n["alias"] = name
		}
		n["catalog_name"], n["schema_name"], n["table_name"] = "temp", "main", g.view
		return
	}
}

// names reports whether a reference may stand for ref (a two-part name
// is schema.table or catalog.table: either counts).
func (rw *refRewriter) names(cat, sch, name string, ref tableRef) bool {
	eq := strings.EqualFold
	if !eq(name, ref.table) {
		return false
	}
	switch {
	case cat != "":
		return eq(cat, ref.catalog) && eq(sch, ref.schema)
	case sch != "":
		return (eq(sch, ref.schema) && eq(rw.catalog, ref.catalog)) || (eq(sch, ref.catalog) && eq(ref.schema, "main"))
	}
	return eq(rw.catalog, ref.catalog) && eq(rw.schema, ref.schema)
}
