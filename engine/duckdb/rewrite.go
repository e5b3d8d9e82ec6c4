package duckdb

import (
	"fmt"
	"slices"
	"strings"
)

// planKind says how a rewritten statement runs.
type planKind int

const (
	planQuery     planKind = iota // returns rows
	planExec                      // DDL/DML: no result set
	planNoop                      // accepted and ignored (CACHE TABLE, REFRESH, …)
	planOverwrite                 // INSERT OVERWRITE: sqls run in one transaction
)

// plan is a Spark SQL statement turned into DuckDB SQL.
type plan struct {
	kind planKind
	sql  string
	sqls []string
	note string
	// hiveSQL, when set, is the statement in HiveServer2's output form
	// (SHOW TABLES: one column tab_name), for sessions that want it.
	hiveSQL string
}

// fnCatalog is the in-memory catalog holding the Spark function macros.
const fnCatalog = "kitsune_fn"

// sparkFunctionNames are the Spark functions that the macros of macros.go
// provide under the spark_ prefix (GetFunctions lists them too).
func sparkFunctionNames() []string {
	return []string{"nvl", "nvl2", "date_format", "to_date", "date_add", "date_sub", "datediff", "from_unixtime",
		"unix_timestamp", "size", "collect_list", "collect_set", "substring_index", "regexp_extract",
		"get_json_object", "to_timestamp", "isnull", "isnotnull", "nanvl", "current_database",
		"explode", "posexplode", "array_join", "sort_array", "map_keys", "map_values", "shiftleft", "shiftright",
		"percentile_approx", "approx_percentile", "array_distinct", "percentile", "sha2", "add_months", "months_between", "str_to_map"}
}

// isSparkFunction reports whether name is one of sparkFunctionNames.
func isSparkFunction(name string) bool {
	return slices.Contains(sparkFunctionNames(), strings.ToLower(name))
}

// rewrite turns one Spark SQL statement into a DuckDB plan.
func rewrite(stmt string) (plan, error) {
	toks := rewriteExpr(lex(stmt))
	s := sig(toks)
	if len(s) == 0 {
		return plan{kind: planNoop}, nil
	}
	kw := func(i int, words ...string) bool { return i < len(s) && s[i].is(words...) }
	switch {
	case kw(0, "USE"):
		rest := s[1:]
		if kw(1, "DATABASE", "SCHEMA", "NAMESPACE") {
			rest = s[2:]
		}
		if len(rest) == 1 {
			return plan{kind: planExec, sql: "USE " + sqlIdent(dbName(rest[0].name()))}, nil
		}
		return plan{kind: planExec, sql: "USE " + render(spaced(rest))}, nil
	case kw(0, "CREATE") && kw(1, "DATABASE", "SCHEMA", "NAMESPACE"):
		i := 2
		ifne := ""
		if kw(2, "IF") && kw(3, "NOT") && kw(4, "EXISTS") {
			ifne, i = "IF NOT EXISTS ", 5
		}
		if i >= len(s) {
			return plan{}, fmt.Errorf("CREATE DATABASE needs a name")
		}
		return plan{kind: planExec, sql: "CREATE SCHEMA " + ifne + qualified(s, &i)}, nil
	case kw(0, "DROP") && kw(1, "DATABASE", "SCHEMA", "NAMESPACE"):
		rest := render(spaced(s[2:]))
		return plan{kind: planExec, sql: "DROP SCHEMA " + rest}, nil
	case kw(0, "SHOW") && kw(1, "DATABASES", "SCHEMAS", "NAMESPACES"):
		where := ""
		if kw(2, "LIKE") && len(s) > 3 {
			where = " AND " + likeFilter("namespace", s[3].val)
		}
		return plan{kind: planQuery, sql: "SELECT namespace FROM (SELECT DISTINCT CASE schema_name WHEN 'main' THEN 'default' ELSE schema_name END AS namespace FROM information_schema.schemata WHERE catalog_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog')) WHERE true" + where + " ORDER BY namespace"}, nil
	case kw(0, "SHOW") && kw(1, "TABLES", "VIEWS"):
		i := 2
		schema := "current_schema()"
		if kw(i, "IN", "FROM") && i+1 < len(s) {
			schema = sqlString(dbName(s[i+1].name()))
			i += 2
		}
		where := ""
		if kw(i, "LIKE") && i+1 < len(s) {
			where = " AND " + likeFilter("table_name", s[i+1].val)
		}
		typ := ""
		if kw(1, "VIEWS") {
			typ = " AND table_type = 'VIEW'"
		}
		from := " FROM information_schema.tables WHERE table_catalog IN (current_database(), 'temp') AND table_schema = " + schema + typ + where + " ORDER BY table_name"
		return plan{kind: planQuery,
			sql:     "SELECT CASE table_schema WHEN 'main' THEN 'default' ELSE table_schema END AS namespace, table_name AS tableName, (table_type = 'LOCAL TEMPORARY') AS isTemporary" + from,
			hiveSQL: "SELECT table_name AS tab_name" + from}, nil
	case kw(0, "SHOW") && kw(1, "COLUMNS") && kw(2, "IN", "FROM") && len(s) > 3:
		i := 3
		table := qualified(s, &i)
		if kw(i, "IN", "FROM") && i+1 < len(s) {
			table = sqlIdent(dbName(s[i+1].name())) + "." + table
		}
		return plan{kind: planQuery, sql: "SELECT column_name AS col_name FROM (DESCRIBE " + table + ")"}, nil
	case kw(0, "SHOW") && kw(1, "FUNCTIONS", "USER"):
		where := ""
		if n := len(s); n >= 2 && s[n-2].is("LIKE") {
			where = " WHERE " + likeFilter("function_name", s[n-1].val)
		}
		return plan{kind: planQuery, sql: "SELECT DISTINCT function_name AS function FROM duckdb_functions()" + where + " ORDER BY 1"}, nil
	case kw(0, "SHOW") && kw(1, "CREATE") && kw(2, "TABLE") && len(s) > 3:
		i := 3
		name := strings.Trim(lastPart(s, i), `"`)
		return plan{kind: planQuery, sql: "SELECT sql AS createtab_stmt FROM duckdb_tables() WHERE table_name = " + sqlString(name) + " UNION ALL SELECT sql FROM duckdb_views() WHERE view_name = " + sqlString(name)}, nil
	case kw(0, "DESC", "DESCRIBE") && !kw(1, "SELECT", "WITH", "FROM", "QUERY", "DATABASE", "SCHEMA", "FUNCTION"):
		i := 1
		if kw(i, "TABLE") {
			i++
		}
		if kw(i, "EXTENDED", "FORMATTED") {
			i++
		}
		if i >= len(s) {
			return plan{}, fmt.Errorf("DESCRIBE needs a table name")
		}
		table := qualified(s, &i)
		where := ""
		if i < len(s) {
			where = " WHERE column_name = " + sqlString(s[i].name())
		}
		return plan{kind: planQuery, sql: "SELECT column_name AS col_name, " + fnCatalog + ".main.spark_type_name(column_type) AS data_type, CAST(NULL AS VARCHAR) AS comment FROM (DESCRIBE " + table + ")" + where}, nil
	case kw(0, "CACHE", "UNCACHE", "REFRESH", "ANALYZE", "MSCK", "CLEAR"):
		return plan{kind: planNoop, note: strings.ToUpper(s[0].text) + " has no effect on the local engine"}, nil
	case kw(0, "ADD") && kw(1, "JAR", "JARS", "FILE", "FILES", "ARCHIVE"):
		return plan{}, fmt.Errorf("ADD %s is not supported by the local DuckDB engine (kitsune.engine.type=DUCKDB); use a Spark engine", strings.ToUpper(s[1].text))
	case kw(0, "CREATE") && (kw(1, "TABLE") || (kw(1, "EXTERNAL") && kw(2, "TABLE")) || (kw(1, "OR") && kw(3, "TABLE"))):
		return createTable(toks)
	case kw(0, "INSERT") && kw(1, "OVERWRITE"):
		return insertOverwrite(toks)
	case kw(0, "INSERT") && kw(1, "INTO"):
		return plan{kind: planExec, sql: render(dropPartition(dropWord(toks, "TABLE", 2)))}, nil
	case kw(0, "ALTER") && kw(1, "TABLE") && (kw(3, "ADD") || kw(5, "ADD")) && (kw(4, "COLUMNS") || kw(6, "COLUMNS")):
		return addColumns(s)
	case kw(0, "TRUNCATE") && kw(1, "TABLE"):
		return plan{kind: planExec, sql: "DELETE FROM " + render(spaced(s[2:]))}, nil
	}
	sql := render(toks)
	if kw(0, "SELECT", "WITH", "FROM", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "PRAGMA", "TABLE", "SUMMARIZE", "CALL", "PIVOT", "UNPIVOT", "(") {
		return plan{kind: planQuery, sql: sql}, nil
	}
	return plan{kind: planExec, sql: sql}, nil
}

// dbName maps Spark's default database to DuckDB's main schema.
func dbName(n string) string {
	if strings.EqualFold(n, "default") {
		return "main"
	}
	return n
}

// qualified renders a possibly dotted name starting at s[*i] and advances *i.
func qualified(s []token, i *int) string {
	var parts []string
	for *i < len(s) {
		t := s[*i]
		if t.kind != tkIdent && t.kind != tkQuoted {
			break
		}
		parts = append(parts, t.text)
		*i++
		if *i < len(s) && s[*i].text == "." {
			*i++
			continue
		}
		break
	}
	return strings.Join(parts, ".")
}

func lastPart(s []token, i int) string {
	name := ""
	for ; i < len(s); i++ {
		if s[i].kind == tkIdent || s[i].kind == tkQuoted {
			name = s[i].name()
		}
	}
	return name
}

// likeFilter renders Spark's SHOW … LIKE pattern ('*' wildcards, '|' alternatives).
func likeFilter(col, pattern string) string {
	var ors []string
	for _, p := range strings.Split(pattern, "|") {
		p = strings.ReplaceAll(strings.TrimSpace(p), "*", "%")
		ors = append(ors, col+" ILIKE "+sqlString(p))
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// spaced joins significant tokens with single spaces where needed.
func spaced(s []token) []token {
	out := make([]token, 0, 2*len(s))
	for i, t := range s {
		if i > 0 && t.text != "." && s[i-1].text != "." && t.text != "," && t.text != ")" && s[i-1].text != "(" {
			out = append(out, token{kind: tkSpace, text: " "})
		}
		out = append(out, t)
	}
	return out
}

// dropWord removes the significant token at significant index idx when it
// is word (INSERT INTO TABLE t → INSERT INTO t).
func dropWord(toks []token, word string, idx int) []token {
	n := -1
	for i, t := range toks {
		if !t.significant() {
			continue
		}
		n++
		if n == idx {
			if t.is(word) {
				return append(append([]token{}, toks[:i]...), toks[i+1:]...)
			}
			break
		}
	}
	return toks
}

// dropPartition removes a PARTITION (...) clause: the local engine does not
// partition tables.
func dropPartition(toks []token) []token {
	for i, t := range toks {
		if t.is("PARTITION") {
			j := i + 1
			for j < len(toks) && !toks[j].significant() {
				j++
			}
			if j < len(toks) && toks[j].text == "(" {
				end := matchParen(toks, j)
				return append(append([]token{}, toks[:i]...), toks[end+1:]...)
			}
		}
	}
	return toks
}

func matchParen(toks []token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}

// createTable handles Spark's CREATE TABLE … USING fmt [OPTIONS (…)]
// [PARTITIONED BY (…)] [LOCATION 'p'] [COMMENT '…'] [TBLPROPERTIES (…)]
// [AS SELECT …] and Hive's STORED AS / ROW FORMAT clauses. With LOCATION and
// no AS SELECT, the table is a view over the files at that location.
func createTable(toks []token) (plan, error) {
	var head, query []token
	format, location := "", ""
	options := map[string]string{}
	i := 0
	for i < len(toks) {
		t := toks[i]
		nextSig := func(k int) int {
			for k < len(toks) && !toks[k].significant() {
				k++
			}
			return k
		}
		switch {
		case t.is("AS") && len(query) == 0 && isQueryStart(toks, nextSig(i+1)):
			query = toks[nextSig(i+1):]
			i = len(toks)
			continue
		case t.is("USING"):
			j := nextSig(i + 1)
			if j < len(toks) {
				format = strings.ToLower(toks[j].name())
			}
			i = j + 1
			continue
		case t.is("STORED"):
			j := nextSig(i + 1) // AS
			j = nextSig(j + 1)
			if j < len(toks) {
				format = strings.ToLower(toks[j].name())
			}
			i = j + 1
			continue
		case t.is("OPTIONS", "TBLPROPERTIES", "SERDEPROPERTIES"):
			j := nextSig(i + 1)
			if j < len(toks) && toks[j].text == "(" {
				end := matchParen(toks, j)
				if t.is("OPTIONS") {
					parseOptions(toks[j+1:end], options)
				}
				i = end + 1
				continue
			}
		case t.is("PARTITIONED", "CLUSTERED", "SORTED") && toks[nextSig(i+1)].is("BY"):
			j := nextSig(nextSig(i+1) + 1)
			if j < len(toks) && toks[j].text == "(" {
				i = matchParen(toks, j) + 1
				j = nextSig(i)
				if j < len(toks) && toks[j].is("INTO") { // CLUSTERED BY (…) INTO n BUCKETS
					i = nextSig(nextSig(j+1)+1) + 1
				}
				continue
			}
		case t.is("LOCATION") || t.is("COMMENT") && len(head) > 0 && parenDepth(head) == 0:
			j := nextSig(i + 1)
			if j < len(toks) && toks[j].kind == tkString {
				if t.is("LOCATION") {
					location = toks[j].val
				}
				i = j + 1
				continue
			}
		case t.is("ROW") && toks[nextSig(i+1)].is("FORMAT"):
			// ROW FORMAT … up to the next clause keyword.
			j := nextSig(nextSig(i+1) + 1)
			for j < len(toks) && !toks[j].is("STORED", "LOCATION", "TBLPROPERTIES", "AS") {
				j++
			}
			i = j
			continue
		case t.is("EXTERNAL"):
			i++
			continue
		}
		head = append(head, t)
		i++
	}
	if location != "" && len(query) == 0 {
		name, cols := splitNameAndColumns(head)
		src := readerCall(format, location, options)
		sel := "*"
		if cols != "" {
			sel = cols
		}
		return plan{kind: planExec, sql: "CREATE VIEW " + name + " AS SELECT " + sel + " FROM " + src}, nil
	}
	sql := strings.TrimSpace(render(head))
	if len(query) > 0 {
		sql += " AS " + render(query)
	}
	return plan{kind: planExec, sql: sql}, nil
}

func isQueryStart(toks []token, i int) bool {
	return i < len(toks) && toks[i].is("SELECT", "WITH", "FROM", "VALUES", "(", "TABLE")
}

func parenDepth(toks []token) int {
	d := 0
	for _, t := range toks {
		switch t.text {
		case "(":
			d++
		case ")":
			d--
		}
	}
	return d
}

func parseOptions(toks []token, into map[string]string) {
	s := sig(toks)
	for i := 0; i < len(s); i++ {
		if s[i].kind == tkIdent || s[i].kind == tkQuoted || s[i].kind == tkString {
			key := s[i].name()
			if s[i].kind == tkString {
				key = s[i].val
			}
			j := i + 1
			for j < len(s) && s[j].text == "." {
				key += "." + s[j+1].name()
				j += 2
			}
			if j < len(s) && s[j].text == "=" {
				j++
			}
			if j < len(s) {
				v := s[j].val
				if s[j].kind != tkString {
					v = s[j].text
				}
				into[strings.ToLower(key)] = v
			}
			i = j
		}
	}
}

// splitNameAndColumns splits "CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name
// (a INT, b STRING)" into the table name and a select list casting the
// file's columns to the declared types.
func splitNameAndColumns(head []token) (string, string) {
	s := sig(head)
	i := 0
	for i < len(s) && s[i].is("CREATE", "OR", "REPLACE", "TABLE", "IF", "NOT", "EXISTS") {
		i++
	}
	name := qualified(s, &i)
	if i >= len(s) || s[i].text != "(" {
		return name, ""
	}
	var cols []string
	depth := 0
	var cur []token
	flush := func() {
		if len(cur) >= 2 {
			cols = append(cols, "CAST("+cur[0].text+" AS "+render(spaced(cur[1:]))+") AS "+cur[0].text)
		}
		cur = nil
	}
	for _, t := range s[i+1:] {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			if depth == 0 {
				flush()
				return name, strings.Join(cols, ", ")
			}
			depth--
		case t.text == "," && depth == 0:
			flush()
			continue
		case t.is("COMMENT", "NOT") && depth == 0:
			continue
		}
		if t.kind == tkString || t.is("NULL") && depth == 0 {
			continue
		}
		cur = append(cur, t)
	}
	flush()
	return name, strings.Join(cols, ", ")
}

// readerCall renders a DuckDB table function reading the files of a Spark
// data source at path.
func readerCall(format, path string, options map[string]string) string {
	glob := path
	if !strings.ContainsAny(path, "*?") && !strings.Contains(strings.ToLower(path), "."+format) {
		glob = strings.TrimRight(path, "/") + "/**/*"
	}
	switch format {
	case "csv":
		args := []string{sqlString(glob)}
		if v, ok := options["header"]; ok {
			args = append(args, "header = "+strings.ToLower(v))
		}
		if v, ok := options["delimiter"]; ok {
			args = append(args, "delim = "+sqlString(v))
		} else if v, ok := options["sep"]; ok {
			args = append(args, "delim = "+sqlString(v))
		}
		return "read_csv(" + strings.Join(args, ", ") + ")"
	case "json":
		return "read_json_auto(" + sqlString(glob) + ")"
	}
	return "read_parquet(" + sqlString(glob) + ")"
}

// insertOverwrite turns INSERT OVERWRITE [TABLE] t [PARTITION (…)] query
// into DELETE + INSERT, run in one transaction.
func insertOverwrite(toks []token) (plan, error) {
	toks = dropPartition(toks)
	s := sig(toks)
	i := 2
	if i < len(s) && s[i].is("TABLE") {
		i++
	}
	if i < len(s) && s[i].is("DIRECTORY", "LOCAL") {
		return plan{}, fmt.Errorf("INSERT OVERWRITE DIRECTORY is not supported by the local engine: use COPY (query) TO 'path' (FORMAT parquet)")
	}
	table := qualified(s, &i)
	if table == "" {
		return plan{}, fmt.Errorf("INSERT OVERWRITE needs a table")
	}
	rest := render(spaced(s[i:]))
	// The query may read the table it overwrites (Spark reads the old rows
	// first): snapshot it before deleting.
	const snap = "kitsune_overwrite_snapshot"
	return plan{kind: planOverwrite, sqls: []string{
		"CREATE OR REPLACE TEMP TABLE " + snap + " AS " + rest,
		"DELETE FROM " + table,
		"INSERT INTO " + table + " SELECT * FROM " + snap,
		"DROP TABLE " + snap,
	}}, nil
}

// addColumns turns Spark's ALTER TABLE t ADD COLUMNS (a T, b T) into one
// ADD COLUMN per column, run in one transaction.
func addColumns(s []token) (plan, error) {
	i := 2
	table := qualified(s, &i)
	for i < len(s) && !s[i].is("(") {
		i++
	}
	if i >= len(s) {
		return plan{}, fmt.Errorf("ALTER TABLE %s ADD COLUMNS needs a column list in parentheses", table)
	}
	var sqls []string
	depth := 0
	var cur []token
	flush := func() {
		if len(cur) > 0 {
			sqls = append(sqls, "ALTER TABLE "+table+" ADD COLUMN "+render(spaced(cur)))
		}
		cur = nil
	}
	for _, t := range s[i+1:] {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")" && depth == 0:
			flush()
			return plan{kind: planOverwrite, sqls: sqls}, nil
		case t.text == ")":
			depth--
		case t.text == "," && depth == 0:
			flush()
			continue
		case t.is("COMMENT") && depth == 0:
			continue
		}
		if t.kind == tkString && depth == 0 {
			continue // a column comment
		}
		cur = append(cur, t)
	}
	flush()
	return plan{kind: planOverwrite, sqls: sqls}, nil
}
