//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDatabricksSQLDriver runs the strictest client we can run, npm
// @databricks/sql (HTTPS only; it checks handle UUIDs, hasResultSet, result
// formats and Arrow), with Arrow on and off and direct results on and off.
func TestDatabricksSQLDriver(t *testing.T) {
	if _, err := os.Stat("../test/node/node_modules/@databricks/sql"); err != nil {
		t.Fatalf("npm @databricks/sql is not installed: run `make deps` (scripts/install-test-deps.sh): %v", err)
	}
	keystore, ca := testCerts(t)
	g := startGateway(t, "kitsune.frontend.ssl.keystore="+keystore)
	host, port := hostPort(t, g.httpAddr)
	for _, arrow := range []string{"on", "off"} {
		for _, direct := range []string{"on", "off"} {
			t.Run("arrow="+arrow+",direct="+direct, func(t *testing.T) {
				cmd := exec.Command("node", "../test/node/dbsql.js", host, itoa(port), "fiona", ca, arrow, direct)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("@databricks/sql: %v\n%s", err, stderr.String())
				}
				checkDatabricks(t, out, arrow == "on")
			})
		}
	}
}

type dbxResult struct {
	Rows   []map[string]any `json:"rows"`
	Format int              `json:"format"`
	LZ4    bool             `json:"lz4"`
}

type dbxMeta struct {
	Count   int            `json:"count"`
	First   map[string]any `json:"first"`
	Columns []string       `json:"columns"`
}

func checkDatabricks(t *testing.T, out []byte, arrow bool) {
	t.Helper()
	var got struct {
		SessionID string           `json:"sessionId"`
		DBMS      string           `json:"dbms"`
		Version   string           `json:"version"`
		One       dbxResult        `json:"one"`
		Typed     map[string]any   `json:"typed"`
		DDL       []int            `json:"ddl"`
		Table     []map[string]any `json:"table"`
		Chunked   struct {
			Chunks, Count, Format int
			Sum                   float64
			LZ4                   bool
		} `json:"chunked"`
		Named      map[string]any     `json:"named"`
		Ordinal    map[string]any     `json:"ordinal"`
		Error      string             `json:"error"`
		ErrorState string             `json:"errorState"`
		DMLError   string             `json:"dmlError"`
		AfterError map[string]any     `json:"afterError"`
		Meta       map[string]dbxMeta `json:"meta"`
		Canceled   any                `json:"canceled"`
		Spark      struct {
			Order        []string
			Soundex      string
			DivideByZero string
			Decimal      struct {
				Q, A  string
				Types []string
			}
		} `json:"spark"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The format the driver was answered in: ARROW_BASED_SET (0) with LZ4
	// frames when it asked for Arrow (and no cloud fetch), else columns (1).
	wantFormat := 1
	if arrow {
		wantFormat = 0
	}
	if got.One.Format != wantFormat || got.One.LZ4 != arrow || got.Chunked.Format != wantFormat {
		t.Errorf("result format %d lz4 %v (chunked %d), want %d", got.One.Format, got.One.LZ4, got.Chunked.Format, wantFormat)
	}
	if got.DBMS != "Spark SQL" || got.Version == "" || len(got.SessionID) != 36 {
		t.Errorf("session %q, DBMS %q %q", got.SessionID, got.DBMS, got.Version)
	}
	if len(got.One.Rows) != 1 || got.One.Rows[0]["one"] != 1.0 {
		t.Errorf("SELECT 1: %v", got.One.Rows)
	}
	// Typed values. Dates and timestamps arrive as JS Dates from Arrow
	// (native date, timestamp as text here) and as text from columns.
	for k, want := range map[string]any{"ti": 7.0, "si": 300.0, "i": 70000.0, "b": 9e9, "f": 1.5, "d": 2.25, "dec": 12.34, "s": "text",
		"t": true, "n": nil} {
		if got.Typed[k] != want {
			t.Errorf("typed %s: %v (%T), want %v", k, got.Typed[k], got.Typed[k], want)
		}
	}
	wantDate, wantTS := "2024-02-29", "2024-02-29 13:14:15.5"
	if arrow {
		wantDate, wantTS = "2024-02-29T00:00:00.000Z", "2024-02-29T13:14:15.500Z"
	}
	if got.Typed["dt"] != wantDate || got.Typed["ts"] != wantTS {
		t.Errorf("date %v timestamp %v, want %s %s", got.Typed["dt"], got.Typed["ts"], wantDate, wantTS)
	}
	if arr, _ := got.Typed["arr"].([]any); len(arr) != 2 || arr[1] != 2.0 {
		t.Errorf("array: %v", got.Typed["arr"])
	}
	if st, _ := got.Typed["st"].(map[string]any); st["a"] != 1.0 || st["b"] != "x" {
		t.Errorf("struct: %v", got.Typed["st"])
	}
	if m, _ := got.Typed["m"].(map[string]any); m["k"] != 1.0 {
		t.Errorf("map: %v", got.Typed["m"])
	}
	if len(got.DDL) != 3 || got.DDL[0]+got.DDL[1]+got.DDL[2] != 0 {
		t.Errorf("DDL/DML rows: %v", got.DDL)
	}
	if len(got.Table) != 3 || got.Table[1]["name"] != "b" || got.Table[2]["name"] != nil {
		t.Errorf("table: %v", got.Table)
	}
	if got.Chunked.Count != 250000 || got.Chunked.Sum != 31249875000 || got.Chunked.Chunks < 5 {
		t.Errorf("chunked fetch: %+v", got.Chunked)
	}
	if got.Named["a"] != 42.0 || got.Named["s"] != "it's; DROP TABLE dbx_t" || got.Named["n"] != nil || got.Ordinal["x"] != 42.0 || got.Ordinal["y"] != "why" {
		t.Errorf("parameters: named %v ordinal %v", got.Named, got.Ordinal)
	}
	if !bytes.Contains([]byte(got.Error), []byte("no_such_table")) || got.ErrorState != "42000" || got.AfterError["answer"] != 42.0 {
		t.Errorf("error %q state %q, then %v", got.Error, got.ErrorState, got.AfterError)
	}
	// HiveServer2 keeps a failed operation until the client closes it: a
	// statement without rows reports its own error when asked for its
	// metadata.
	if !strings.Contains(got.DMLError, "no_such_table") {
		t.Errorf("a failed INSERT read with fetchAll answered %q, want its own error naming no_such_table", got.DMLError)
	}
	for name, want := range map[string]struct{ count, cols int }{"catalogs": {1, 1}, "schemas": {1, 2}, "tables": {1, 10}, "columns": {2, 23},
		"tableTypes": {2, 1}, "functions": {1, 6}, "primaryKeys": {0, 6}} {
		m := got.Meta[name]
		if m.Count != want.count || len(m.Columns) != want.cols {
			t.Errorf("%s: %d rows %d columns %v, want %d and %d", name, m.Count, len(m.Columns), m.Columns, want.count, want.cols)
		}
	}
	if got.Meta["tables"].First["TABLE_NAME"] != "dbx_t" || got.Meta["columns"].First["DATA_TYPE"] != 4.0 || got.Meta["typeInfo"].Count < 10 {
		t.Errorf("metadata rows: %v %v", got.Meta["tables"].First, got.Meta["columns"].First)
	}
	// Spark keeps a struct's declared order; ANSI division by zero is
	// 22012; Spark's 1.0 / 3 is 0.333333, a DECIMAL(7,6) (a double would
	// read 0.3333333333333333), and avg of a DECIMAL(10,2) a DECIMAL(14,6).
	// The driver may read a decimal as a JavaScript number: 1.875 or
	// 1.875000.
	sp := got.Spark
	if strings.Join(sp.Order, ",") != "b,a" || sp.Soundex != "M460" || sp.DivideByZero != "22012" {
		t.Errorf("Spark answers through @databricks/sql: %+v", sp)
	}
	if q, a := sp.Decimal.Q, sp.Decimal.A; strings.TrimRight(q, "0") != "0.333333" || strings.TrimRight(a, "0") != "1.875" ||
		strings.Join(sp.Decimal.Types, " ") != "DECIMAL_TYPE(7,6) DECIMAL_TYPE(14,6)" {
		t.Errorf("Spark's decimal quotient and average through @databricks/sql: %+v", sp.Decimal)
	}
	if got.Canceled != 4.0 && got.Canceled != "The operation was canceled by a client" {
		t.Errorf("canceled: %v, want CANCELED_STATE", got.Canceled)
	}
}
