package duckdb

import (
	"fmt"
	"strings"
)

// createTable handles Spark's CREATE TABLE … USING fmt [OPTIONS (…)]
// [PARTITIONED BY (…)] [LOCATION 'p'] [COMMENT '…'] [TBLPROPERTIES (…)]
// [AS SELECT …] and Hive's STORED AS / ROW FORMAT clauses. With LOCATION and
// no AS SELECT, the table is a view over the files at that location.
func createTable(toks []token) (plan, error) {
	d := &tableDef{toks: toks, options: map[string]string{}}
	for i := 0; i < len(toks); {
		if j, ok := d.clause(i); ok {
			i = j
			continue
		}
		d.head = append(d.head, toks[i])
		i++
	}
	if d.location != "" && len(d.query) == 0 {
		name, cols := splitNameAndColumns(d.head)
		sel := "*"
		if cols != "" {
			sel = cols
		}
		return plan{kind: planExec, sql: "CREATE VIEW " + name + " AS SELECT " + sel + " FROM " + readerCall(d.format, d.location, d.options)}, nil
	}
	sql := strings.TrimSpace(render(d.head))
	if len(d.query) > 0 {
		sql += " AS " + render(d.query)
	}
	return plan{kind: planExec, sql: sql}, nil
}

// tableDef is a CREATE TABLE statement taken apart: what DuckDB keeps
// (head, query) and the Spark clauses read out of it.
type tableDef struct {
	toks             []token
	head, query      []token
	format, location string
	options          map[string]string
}

// sigAt is the first significant token at or after k.
func (d *tableDef) sigAt(k int) int {
	for k < len(d.toks) && !d.toks[k].significant() {
		k++
	}
	return k
}

// clause consumes the Spark clause starting at i and returns the index
// after it; false when token i is not one (it stays in the head).
func (d *tableDef) clause(i int) (int, bool) {
	toks, t := d.toks, d.toks[i]
	switch {
	case t.is("AS") && len(d.query) == 0 && isQueryStart(toks, d.sigAt(i+1)):
		d.query = toks[d.sigAt(i+1):]
		return len(toks), true
	case t.is("USING"), t.is("STORED"):
		j := d.sigAt(i + 1)
		if t.is("STORED") {
			j = d.sigAt(j + 1) // past AS
		}
		if j < len(toks) {
			d.format = strings.ToLower(toks[j].name())
		}
		return j + 1, true
	case t.is("OPTIONS", "TBLPROPERTIES", "SERDEPROPERTIES"):
		if j := d.sigAt(i + 1); j < len(toks) && toks[j].text == "(" {
			end := matchParen(toks, j)
			if t.is("OPTIONS") {
				parseOptions(toks[j+1:end], d.options)
			}
			return end + 1, true
		}
	case t.is("PARTITIONED", "CLUSTERED", "SORTED") && toks[d.sigAt(i+1)].is("BY"):
		if j := d.sigAt(d.sigAt(i+1) + 1); j < len(toks) && toks[j].text == "(" {
			next := matchParen(toks, j) + 1
			if k := d.sigAt(next); k < len(toks) && toks[k].is("INTO") { // CLUSTERED BY (…) INTO n BUCKETS
				next = d.sigAt(d.sigAt(k+1)+1) + 1
			}
			return next, true
		}
	case t.is("LOCATION") || t.is("COMMENT") && len(d.head) > 0 && parenDepth(d.head) == 0:
		if j := d.sigAt(i + 1); j < len(toks) && toks[j].kind == tkString {
			if t.is("LOCATION") {
				d.location = toks[j].val
			}
			return j + 1, true
		}
	case t.is("ROW") && toks[d.sigAt(i+1)].is("FORMAT"):
		// ROW FORMAT … up to the next clause keyword.
		j := d.sigAt(d.sigAt(i+1) + 1)
		for j < len(toks) && !toks[j].is("STORED", "LOCATION", "TBLPROPERTIES", "AS") {
			j++
		}
		return j, true
	case t.is("EXTERNAL"):
		return i + 1, true
	}
	return 0, false
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
