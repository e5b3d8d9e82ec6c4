package duckdb

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Authorization reads DuckDB's own bound plan of a statement
// (json_serialize_plan, before any optimizer): every table scan with the
// columns the binder resolved (through CTEs, subqueries, views, joins and
// *), and every table, view or schema the statement writes, creates,
// drops or alters. A plan operator it does not know is refused, never
// let through.

// tableRef is one table as DuckDB names it.
type tableRef struct{ catalog, schema, table string }

// planAccess is what a statement's plan reaches.
type planAccess struct {
	// reads are the columns read per table (an empty set: the table
	// itself, as count(*) reads it); scans how often each is scanned.
	reads map[tableRef]map[string]bool
	scans map[tableRef]int
	// allColumns are each scanned table's columns in order.
	allColumns map[tableRef][]string
	writes     []objectAccess
	// files are the paths table functions read, written the paths COPY
	// writes: with authorization they must lie in shared locations.
	files, written []string
	// refusal, when set, refuses the statement whatever the policies.
	refusal string
}

// objectAccess is a non-read access: the object and the access type.
type objectAccess struct {
	access string
	ref    tableRef // table empty: the schema (database) itself
}

// relationalOps are the plan operators that only pass rows on (or touch
// nothing policies govern): their children are looked at, nothing else.
const relationalOps = ` PROJECTION FILTER AGGREGATE_AND_GROUP_BY WINDOW UNNEST LIMIT ORDER_BY TOP_N DISTINCT
	SAMPLE PIVOT COMPARISON_JOIN ANY_JOIN CROSS_PRODUCT POSITIONAL_JOIN ASOF_JOIN DEPENDENT_JOIN DELIM_JOIN UNION
	EXCEPT INTERSECT RECURSIVE_CTE MATERIALIZED_CTE CTE_REF DELIM_GET EXPRESSION_GET DUMMY_SCAN EMPTY_RESULT
	COLUMN_DATA_GET SET RESET TRANSACTION VACUUM `

// fileFreeFunctions are table functions that read no file.
const fileFreeFunctions = ` range generate_series unnest repeat repeat_row `

func relational(t string) bool {
	op, ok := strings.CutPrefix(t, "LOGICAL_")
	return ok && op != "" && !strings.ContainsAny(op, " \t\n") &&
		strings.Contains(" "+strings.Join(strings.Fields(relationalOps), " ")+" ", " "+op+" ")
}

// catalogEntry is the part of a plan's catalog info authorization reads.
type catalogEntry struct {
	Type      string `json:"type"`
	Catalog   string `json:"catalog"`
	Schema    string `json:"schema"`
	Table     string `json:"table"`
	Name      string `json:"name"`
	ViewName  string `json:"view_name"`
	Temporary bool   `json:"temporary"`
}

// analyzePlan reads a json_serialize_plan answer.
func analyzePlan(doc []byte) (*planAccess, error) {
	var out struct {
		Error   bool              `json:"error"`
		Message string            `json:"error_message"`
		Type    string            `json:"error_type"`
		Plans   []json.RawMessage `json:"plans"`
	}
	if err := json.Unmarshal(doc, &out); err != nil {
		return nil, fmt.Errorf("read the statement's plan: %w", err)
	}
	if out.Error {
		return nil, planError{typ: out.Type, msg: out.Message}
	}
	pa := &planAccess{reads: map[tableRef]map[string]bool{}, scans: map[tableRef]int{}, allColumns: map[tableRef][]string{}}
	if len(out.Plans) != 1 {
		pa.refusal = "one statement at a time: with kitsune.authorization.enabled a request holds a single statement"
		return pa, nil
	}
	var root any
	if err := json.Unmarshal(out.Plans[0], &root); err != nil {
		return nil, fmt.Errorf("read the statement's plan: %w", err)
	}
	pa.walk(root)
	return pa, nil
}

// planError is DuckDB's refusal to plan the statement: what running it
// would have answered.
type planError struct{ typ, msg string }

func (e planError) Error() string {
	if e.typ == "" || strings.Contains(e.msg, " Error: ") {
		return e.msg
	}
	return e.typ + " Error: " + e.msg
}

// walk visits every operator, wherever it sits (children, subquery plans
// inside expressions).
func (pa *planAccess) walk(v any) {
	switch n := v.(type) {
	case []any:
		for _, c := range n {
			pa.walk(c)
		}
	case map[string]any:
		if t, _ := n["type"].(string); strings.HasPrefix(t, "LOGICAL_") {
			pa.node(t, n)
		}
		for _, c := range n {
			pa.walk(c)
		}
	}
}

func (pa *planAccess) refuse(format string, args ...any) {
	if pa.refusal == "" {
		pa.refusal = fmt.Sprintf(format, args...)
	}
}

func (pa *planAccess) node(t string, n map[string]any) {
	switch t {
	case "LOGICAL_GET":
		pa.get(n)
	case "LOGICAL_COPY_TO_FILE":
		p, _ := n["file_path"].(string)
		pa.written = append(pa.written, p)
	case "LOGICAL_CHUNK_GET":
		pa.refuse("DESCRIBE, SHOW and SUMMARIZE inside a query are refused with kitsune.authorization.enabled: use them as statements of their own, which list what policies allow")
	case "LOGICAL_INSERT", "LOGICAL_UPDATE", "LOGICAL_DELETE", "LOGICAL_MERGE_INTO":
		e := entry(n["table_info"])
		pa.write("update", tableRef{e.Catalog, e.Schema, e.Table}, e.Temporary)
	case "LOGICAL_CREATE_TABLE":
		e := entry(n["info"])
		pa.write("create", tableRef{e.Catalog, e.Schema, e.Table}, e.Temporary)
	case "LOGICAL_CREATE_VIEW":
		e := entry(n["info"])
		pa.write("create", tableRef{e.Catalog, e.Schema, e.ViewName}, e.Temporary)
	case "LOGICAL_CREATE_SCHEMA":
		e := entry(n["info"])
		pa.write("create", tableRef{e.Catalog, e.Schema, ""}, false)
	case "LOGICAL_DROP":
		e := entry(n["info"])
		if e.Type == "SCHEMA_ENTRY" {
			pa.write("drop", tableRef{e.Catalog, e.Name, ""}, false)
		} else {
			pa.write("drop", tableRef{e.Catalog, e.Schema, e.Name}, e.Catalog == "temp")
		}
	case "LOGICAL_ALTER":
		e := entry(n["info"])
		pa.write("alter", tableRef{e.Catalog, e.Schema, e.Name}, e.Catalog == "temp")
	default:
		switch {
		case relational(t):
		case strings.HasPrefix(t, "LOGICAL_CREATE_"): // macros, types, sequences, indexes
			e := entry(n["info"])
			pa.write("create", tableRef{e.Catalog, e.Schema, ""}, e.Temporary)
		default:
			pa.refuse("%s statements are refused with kitsune.authorization.enabled: no policy can be checked for them", strings.TrimPrefix(t, "LOGICAL_"))
		}
	}
}

func entry(v any) catalogEntry {
	var e catalogEntry
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &e)
	}
	return e
}

func (pa *planAccess) write(access string, ref tableRef, temporary bool) {
	if temporary || ref.catalog == "temp" {
		return // the session's own temporary objects
	}
	pa.writes = append(pa.writes, objectAccess{access: access, ref: ref})
}

// get is a scan: of a table (function_data names it) or by a table
// function. DuckDB's catalog functions (duckdb_tables(), pragma_*, and
// information_schema built on them) would list what policies hide.
func (pa *planAccess) get(n map[string]any) {
	fd, _ := n["function_data"].(map[string]any)
	table, _ := fd["table"].(string)
	if table == "" {
		name, _ := n["name"].(string)
		files, hasFiles := fd["files"].([]any)
		switch {
		case strings.HasPrefix(name, "duckdb_") || strings.HasPrefix(name, "pragma_") || name == "sql_auto_complete":
			pa.refuse("reading DuckDB's catalog (%s, information_schema) is refused with kitsune.authorization.enabled: SHOW DATABASES, SHOW TABLES, DESCRIBE and the metadata calls list what policies allow", name)
		case hasFiles:
			for _, f := range files {
				if p, ok := f.(string); ok {
					pa.files = append(pa.files, p)
				}
			}
		case !strings.Contains(fileFreeFunctions, " "+name+" "):
			pa.refuse("the table function %s is refused with kitsune.authorization.enabled: policies govern tables, and files are read only from shared locations (read_parquet and the like name their files)", name)
		}
		return
	}
	catalog, _ := fd["catalog"].(string)
	schema, _ := fd["schema"].(string)
	ref := tableRef{catalog, schema, table}
	names := planStrings(n["names"])
	cols := pa.reads[ref]
	if cols == nil {
		cols = map[string]bool{}
		pa.reads[ref] = cols
	}
	pa.scans[ref]++
	pa.allColumns[ref] = names
	idx, _ := n["column_indexes"].([]any)
	for _, ci := range idx {
		m, _ := ci.(map[string]any)
		f, _ := m["index"].(float64)
		if f >= 0 && int(f) < len(names) && f < float64(1<<53) {
			cols[names[int(f)]] = true
		}
	}
}

func planStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
