package duckdb

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Shared is a shared data location the tenant's engine may reach, on
// purpose (kitsune.engine.local.shared.<name>.*): files by path, a
// directory of Parquet tables seen as <name>.<table>, or a DuckDB file
// attached read-only as <name>.
type Shared struct {
	Name, Format, Path string
	Write              bool
}

// sharedAllowed are the directories and files the sandbox lets SQL reach
// for the shared locations (writing is the kernel's to allow or not).
func sharedAllowed(shared []Shared) (dirs, files []string) {
	for _, s := range shared {
		if s.Format == "duckdb" {
			// DuckDB looks for the write-ahead log beside a database even
			// when it attaches it read-only.
			files = append(files, filepath.Clean(s.Path), filepath.Clean(s.Path)+".wal")
			continue
		}
		dirs = append(dirs, s.Path)
	}
	return dirs, files
}

// sharedDDL attaches the shared databases and makes the Parquet tables'
// views, each in a catalog of its own named after the location, so that
// <name>.<table> reads it. A location that is gone is skipped with an
// error for the log; the engine serves without it.
func sharedDDL(shared []Shared) (ddl []string, problems []error) {
	for _, s := range shared {
		name := quoteIdent(s.Name)
		switch s.Format {
		case "duckdb":
			if _, err := os.Stat(s.Path); err != nil {
				problems = append(problems, fmt.Errorf("shared database %s: %w", s.Name, err))
				continue
			}
			ddl = append(ddl, fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", sqlString(s.Path), name))
		case "parquet":
			tables, err := parquetTables(s.Path)
			if err != nil {
				problems = append(problems, fmt.Errorf("shared tables %s: %w", s.Name, err))
				continue
			}
			ddl = append(ddl, "ATTACH ':memory:' AS "+name)
			for _, t := range tables {
				ddl = append(ddl, fmt.Sprintf("CREATE VIEW %s.main.%s AS SELECT * FROM read_parquet(%s)", name, quoteIdent(t[0]), sqlString(t[1])))
			}
		}
	}
	return ddl, problems
}

// parquetTables lists a directory's tables: t.parquet files and t/
// directories of Parquet files, with the path to read each.
func parquetTables(dir string) ([][2]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, e := range entries {
		switch name := e.Name(); {
		case e.IsDir():
			out = append(out, [2]string{name, filepath.Join(dir, name, "*.parquet")})
		case strings.HasSuffix(name, ".parquet"):
			out = append(out, [2]string{strings.TrimSuffix(name, ".parquet"), filepath.Join(dir, name)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
