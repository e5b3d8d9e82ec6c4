package duckdb

import (
	"fmt"
	"strings"
)

// words are a statement's significant tokens, as the statement rules see
// them.
type words []token

// kw reports whether the word at i is one of ws.
func (s words) kw(i int, ws ...string) bool { return i < len(s) && s[i].is(ws...) }

// stmtRule is one Spark SQL statement form: when match holds for the
// statement's significant tokens, apply turns the statement (all its
// tokens, rewritten expressions included) into a DuckDB plan.
type stmtRule struct {
	name  string
	match func(s words) bool
	apply func(toks []token, s words) (plan, error)
}

// statementRules are the statement forms the local engine rewrites, in
// the order they are tried; a statement no rule matches goes to DuckDB as
// written.
func statementRules() []stmtRule {
	return []stmtRule{
		{"USE database", func(s words) bool { return s.kw(0, "USE") }, useDatabase},
		{"CREATE DATABASE", func(s words) bool { return s.kw(0, "CREATE") && s.kw(1, "DATABASE", "SCHEMA", "NAMESPACE") }, createDatabase},
		{"DROP DATABASE", func(s words) bool { return s.kw(0, "DROP") && s.kw(1, "DATABASE", "SCHEMA", "NAMESPACE") }, dropDatabase},
		{"SHOW DATABASES", func(s words) bool { return s.kw(0, "SHOW") && s.kw(1, "DATABASES", "SCHEMAS", "NAMESPACES") }, showDatabases},
		{"SHOW TABLES", func(s words) bool { return s.kw(0, "SHOW") && s.kw(1, "TABLES", "VIEWS") }, showTables},
		{"SHOW COLUMNS", func(s words) bool {
			return s.kw(0, "SHOW") && s.kw(1, "COLUMNS") && s.kw(2, "IN", "FROM") && len(s) > 3
		}, showColumns},
		{"SHOW FUNCTIONS", func(s words) bool { return s.kw(0, "SHOW") && s.kw(1, "FUNCTIONS", "USER") }, showFunctions},
		{"SHOW CREATE TABLE", func(s words) bool { return s.kw(0, "SHOW") && s.kw(1, "CREATE") && s.kw(2, "TABLE") && len(s) > 3 }, showCreateTable},
		{"DESCRIBE table", func(s words) bool {
			return s.kw(0, "DESC", "DESCRIBE") && !s.kw(1, "SELECT", "WITH", "FROM", "QUERY", "DATABASE", "SCHEMA", "FUNCTION")
		}, describeTable},
		{"CACHE and friends", func(s words) bool { return s.kw(0, "CACHE", "UNCACHE", "REFRESH", "ANALYZE", "MSCK", "CLEAR") }, noEffect},
		{"ADD JAR", func(s words) bool { return s.kw(0, "ADD") && s.kw(1, "JAR", "JARS", "FILE", "FILES", "ARCHIVE") }, addResource},
		{"CREATE TABLE", func(s words) bool {
			return s.kw(0, "CREATE") && (s.kw(1, "TABLE") || (s.kw(1, "EXTERNAL") && s.kw(2, "TABLE")) || (s.kw(1, "OR") && s.kw(3, "TABLE")))
		}, func(toks []token, _ words) (plan, error) { return createTable(toks) }},
		{"INSERT OVERWRITE", func(s words) bool { return s.kw(0, "INSERT") && s.kw(1, "OVERWRITE") },
			func(toks []token, _ words) (plan, error) { return insertOverwrite(toks) }},
		{"INSERT INTO TABLE", func(s words) bool { return s.kw(0, "INSERT") && s.kw(1, "INTO") }, func(toks []token, _ words) (plan, error) {
			return plan{kind: planExec, sql: render(dropPartition(dropWord(toks, "TABLE", 2)))}, nil
		}},
		{"ALTER TABLE ADD COLUMNS", func(s words) bool {
			return s.kw(0, "ALTER") && s.kw(1, "TABLE") && (s.kw(3, "ADD") || s.kw(5, "ADD")) && (s.kw(4, "COLUMNS") || s.kw(6, "COLUMNS"))
		}, func(_ []token, s words) (plan, error) { return addColumns(s) }},
		{"TRUNCATE TABLE", func(s words) bool { return s.kw(0, "TRUNCATE") && s.kw(1, "TABLE") }, func(_ []token, s words) (plan, error) {
			return plan{kind: planExec, sql: "DELETE FROM " + render(spaced(s[2:]))}, nil
		}},
	}
}

func useDatabase(_ []token, s words) (plan, error) {
	rest := s[1:]
	if s.kw(1, "DATABASE", "SCHEMA", "NAMESPACE") {
		rest = s[2:]
	}
	if len(rest) == 1 {
		return plan{kind: planExec, sql: "USE " + sqlIdent(dbName(rest[0].name()))}, nil
	}
	return plan{kind: planExec, sql: "USE " + render(spaced(rest))}, nil
}

func createDatabase(_ []token, s words) (plan, error) {
	i := 2
	ifne := ""
	if s.kw(2, "IF") && s.kw(3, "NOT") && s.kw(4, "EXISTS") {
		ifne, i = "IF NOT EXISTS ", 5
	}
	if i >= len(s) {
		return plan{}, fmt.Errorf("CREATE DATABASE needs a name")
	}
	return plan{kind: planExec, sql: "CREATE SCHEMA " + ifne + qualified(s, &i)}, nil
}

func dropDatabase(_ []token, s words) (plan, error) {
	return plan{kind: planExec, sql: "DROP SCHEMA " + render(spaced(s[2:]))}, nil
}

func showDatabases(_ []token, s words) (plan, error) {
	where := ""
	if s.kw(2, "LIKE") && len(s) > 3 {
		where = " AND " + likeFilter("namespace", s[3].val)
	}
	return plan{kind: planQuery, meta: &metaPlan{kind: metaDatabases}, sql: "SELECT namespace FROM (SELECT DISTINCT CASE schema_name WHEN 'main' THEN 'default' ELSE schema_name END AS namespace FROM information_schema.schemata WHERE catalog_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog')) WHERE true" + where + " ORDER BY namespace"}, nil
}

func showTables(_ []token, s words) (plan, error) {
	i := 2
	schema := "current_schema()"
	if s.kw(i, "IN", "FROM") && i+1 < len(s) {
		schema = sqlString(dbName(s[i+1].name()))
		i += 2
	}
	where := ""
	if s.kw(i, "LIKE") && i+1 < len(s) {
		where = " AND " + likeFilter("table_name", s[i+1].val)
	}
	typ := ""
	if s.kw(1, "VIEWS") {
		typ = " AND table_type = 'VIEW'"
	}
	from := " FROM information_schema.tables WHERE table_catalog IN (current_database(), 'temp') AND table_schema = " + schema + typ + where + " ORDER BY table_name"
	spark := "SELECT CASE table_schema WHEN 'main' THEN 'default' ELSE table_schema END AS namespace, table_name AS tableName, (table_type = 'LOCAL TEMPORARY') AS isTemporary" + from
	return plan{kind: planQuery, sql: spark, hiveSQL: "SELECT table_name AS tab_name" + from, meta: &metaPlan{kind: metaTables, sparkSQL: spark}}, nil
}

func showColumns(_ []token, s words) (plan, error) {
	i := 3
	table := qualified(s, &i)
	if s.kw(i, "IN", "FROM") && i+1 < len(s) {
		table = sqlIdent(dbName(s[i+1].name())) + "." + table
	}
	return plan{kind: planQuery, sql: "SELECT column_name AS col_name FROM (DESCRIBE " + table + ")", meta: &metaPlan{kind: metaColumns, table: table}}, nil
}

func showFunctions(_ []token, s words) (plan, error) {
	where := ""
	if n := len(s); n >= 2 && s[n-2].is("LIKE") {
		where = " WHERE " + likeFilter("function_name", s[n-1].val)
	}
	return plan{kind: planQuery, sql: "SELECT DISTINCT function_name AS function FROM duckdb_functions()" + where + " ORDER BY 1", meta: &metaPlan{kind: metaFunctions}}, nil
}

func showCreateTable(_ []token, s words) (plan, error) {
	name := strings.Trim(lastPart(s, 3), `"`)
	return plan{kind: planQuery, sql: "SELECT sql AS createtab_stmt FROM duckdb_tables() WHERE table_name = " + sqlString(name) + " UNION ALL SELECT sql FROM duckdb_views() WHERE view_name = " + sqlString(name),
		meta: &metaPlan{kind: metaCreate, table: render(spaced(s[3:]))}}, nil
}

func describeTable(_ []token, s words) (plan, error) {
	i := 1
	if s.kw(i, "TABLE") {
		i++
	}
	if s.kw(i, "EXTENDED", "FORMATTED") {
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
	return plan{kind: planQuery, sql: "SELECT column_name AS col_name, " + fnCatalog + ".main.spark_type_name(column_type) AS data_type, CAST(NULL AS VARCHAR) AS comment FROM (DESCRIBE " + table + ")" + where,
		meta: &metaPlan{kind: metaColumns, table: table}}, nil
}

func noEffect(_ []token, s words) (plan, error) {
	return plan{kind: planNoop, note: strings.ToUpper(s[0].text) + " has no effect on the local engine"}, nil
}

func addResource(_ []token, s words) (plan, error) {
	return plan{}, fmt.Errorf("ADD %s is not supported by the local DuckDB engine (kitsune.engine.type=DUCKDB); use a Spark engine", strings.ToUpper(s[1].text))
}
