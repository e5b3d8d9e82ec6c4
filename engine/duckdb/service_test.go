package duckdb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newService(t *testing.T) (*Service, *tcli.TSessionHandle) {
	t.Helper()
	s, err := Open(Config{ID: "test-engine", Secret: "s3cret", Memory: "256MiB", Threads: 2}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u := "tess"
	resp, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
	if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatal(resp.Status.GetErrorMessage())
	}
	return s, resp.SessionHandle
}

// run executes q synchronously and returns its rows as strings.
func run(t *testing.T, s *Service, sh *tcli.TSessionHandle, q string) ([][]string, *tcli.TTableSchema) {
	t.Helper()
	resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
	if resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("%s: %s", q, resp.Status.GetErrorMessage())
	}
	md, _ := s.GetResultSetMetadata(context.Background(), &tcli.TGetResultSetMetadataReq{OperationHandle: resp.OperationHandle})
	fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 1000})
	var out [][]string
	if fr.Results != nil && len(fr.Results.Columns) > 0 {
		c0 := fr.Results.Columns[0]
		n := 0
		switch {
		case c0.StringVal != nil:
			n = len(c0.StringVal.Values)
		case c0.I64Val != nil:
			n = len(c0.I64Val.Values)
		case c0.I32Val != nil:
			n = len(c0.I32Val.Values)
		case c0.BoolVal != nil:
			n = len(c0.BoolVal.Values)
		case c0.DoubleVal != nil:
			n = len(c0.DoubleVal.Values)
		}
		for i := 0; i < n; i++ {
			var row []string
			for _, c := range fr.Results.Columns {
				row = append(row, cellString(c, i))
			}
			out = append(out, row)
		}
	}
	s.CloseOperation(context.Background(), &tcli.TCloseOperationReq{OperationHandle: resp.OperationHandle})
	return out, md.Schema
}

func cellString(c *tcli.TColumn, i int) string {
	switch {
	case c.StringVal != nil:
		return c.StringVal.Values[i]
	case c.I64Val != nil:
		return itoa(c.I64Val.Values[i])
	case c.I32Val != nil:
		return itoa(int64(c.I32Val.Values[i]))
	case c.DoubleVal != nil:
		return strconv.FormatFloat(c.DoubleVal.Values[i], 'f', -1, 64)
	case c.BoolVal != nil:
		if c.BoolVal.Values[i] {
			return "true"
		}
		return "false"
	}
	return "?"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSparkFunctionsEvaluate(t *testing.T) {
	s, sh := newService(t)
	for q, want := range map[string]string{
		"SELECT nvl(NULL, 'a')":    "a",
		"SELECT nvl2(1, 'y', 'n')": "y",
		"SELECT date_format(TIMESTAMP '2024-03-05 06:07:08', 'yyyy/MM/dd HH:mm:ss')": "2024/03/05 06:07:08",
		"SELECT CAST(to_date('05.03.2024', 'dd.MM.yyyy') AS STRING)":                 "2024-03-05",
		"SELECT CAST(date_add(DATE '2024-02-28', 2) AS STRING)":                      "2024-03-01",
		"SELECT CAST(date_sub('2024-03-01', 1) AS STRING)":                           "2024-02-29",
		"SELECT datediff('2024-03-01', '2024-02-01')":                                "29",
		"SELECT from_unixtime(0)":                                                    "1970-01-01 00:00:00",
		"SELECT unix_timestamp('1970-01-02 00:00:00')":                               "86400",
		"SELECT size(array(1, 2, 3))":                                                "3",
		"SELECT size(CAST(NULL AS INT[])) IS NULL":                                   "true", // Spark 4 (ANSI): NULL; -1 only with ANSI off
		"SELECT array_contains(array(1, 2), 2)":                                      "true",
		"SELECT concat_ws('-', 'a', 'b')":                                            "a-b",
		"SELECT instr('kitsune', 'sun')":                                             "4",
		"SELECT substring_index('a.b.c', '.', 2)":                                    "a.b",
		"SELECT substring_index('a.b.c', '.', -1)":                                   "c",
		"SELECT regexp_extract('id-42', '([a-z]+)-([0-9]+)', 2)":                     "42",
		"SELECT regexp_extract('id-42', '([0-9]+)')":                                 "42",
		"SELECT get_json_object('{\"a\":{\"b\":7}}', '$.a.b')":                       "7",
		"SELECT 'abc' RLIKE '^a'":                                                    "true",
		"SELECT if(1 > 0, 'y', 'n')":                                                 "y",
		"SELECT CAST(collect_list(x) AS STRING) FROM (VALUES (1), (NULL), (2)) v(x)": "[1, 2]",
		"SELECT size(collect_set(x)) FROM (VALUES (1), (1), (2)) v(x)":               "2",
		"SELECT count(*) FROM (SELECT explode(array(1, 2, 3)))":                      "3",
		"SELECT CAST(array_distinct(array(2, 1, 2, 3)) AS STRING)":                   "[2, 1, 3]",
		"SELECT int('41') + 1":                                                       "42",
		"SELECT id FROM range(3) CLUSTER BY id DESC LIMIT 1":                         "2",
		"SELECT current_user()":                                                      "tess",
		"SELECT current_database()":                                                  "default",
		"SELECT max(id) FROM range(5)":                                               "4",
		"SET kitsune.engine.id":                                                      "test-engine",
		"SELECT current_setting('threads')":                                          "2",
		"SELECT current_setting('memory_limit')":                                     "256.0 MiB",
	} {
		rows, _ := run(t, s, sh, q)
		if len(rows) == 0 || rows[0][len(rows[0])-1] != want {
			t.Errorf("%s = %v, want %q", q, rows, want)
		}
	}
}

func TestCancelInterruptsQuery(t *testing.T) {
	s, sh := newService(t)
	resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, RunAsync: true,
		Statement: "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.id + b.id < 0"})
	time.Sleep(100 * time.Millisecond)
	s.CancelOperation(context.Background(), &tcli.TCancelOperationReq{OperationHandle: resp.OperationHandle})
	op, _ := s.operation(resp.OperationHandle)
	select {
	case <-op.done:
	case <-time.After(20 * time.Second):
		t.Fatal("cancel did not interrupt the query")
	}
	st, _ := s.GetOperationStatus(context.Background(), &tcli.TGetOperationStatusReq{OperationHandle: resp.OperationHandle})
	if st.GetOperationState() != tcli.TOperationState_CANCELED_STATE {
		t.Errorf("state %s", st.GetOperationState())
	}
}

func TestSecretAndHandles(t *testing.T) {
	s, _ := newService(t)
	if _, err := s.Authenticate(context.Background(), "x", "wrong", "1.2.3.4:5"); err == nil {
		t.Error("wrong secret accepted")
	}
	if u, err := s.Authenticate(context.Background(), "x", "s3cret", ""); err != nil || u != "x" {
		t.Errorf("right secret: %v %v", u, err)
	}
	bogus := &tcli.TOperationHandle{OperationId: serve.NewHandleID()}
	fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: bogus, MaxRows: 1})
	if fr.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
		t.Errorf("unknown handle: %v", fr.Status)
	}
}

func TestOutOfMemoryStaysInTheEngine(t *testing.T) {
	s, err := Open(Config{ID: "small", Memory: "32MiB", Threads: 1}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u := "m"
	o, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
	resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: o.SessionHandle,
		Statement: "SELECT list(repeat('x', 100) || CAST(id AS STRING)) FROM range(2000000)"})
	if resp.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(resp.Status.GetErrorMessage(), "kitsune.engine.memory") {
		t.Errorf("memory-hungry query: %v %q", resp.Status.StatusCode, resp.Status.GetErrorMessage())
	}
	if rows, _ := run(t, s, o.SessionHandle, "SELECT 1"); rows[0][0] != "1" {
		t.Errorf("engine unusable after OOM: %v", rows)
	}
}

func BenchmarkFetchColumnar(b *testing.B) {
	rs := newResultSet([]string{"id", "d", "s"}, []colType{typeOf("BIGINT"), typeOf("DOUBLE"), typeOf("VARCHAR")})
	for i := 0; i < 100000; i++ {
		rs.appendRow([]any{int64(i), float64(i) * 1.5, "row-" + strconv.Itoa(i)})
	}
	b.ResetTimer()
	for b.Loop() {
		first := true
		for {
			set := rs.fetch(10000, 0, first, true)
			first = false
			if len(set.Columns[0].I64Val.Values) == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestIdleOperationsCloseAndResultsAreBounded(t *testing.T) {
	s, err := Open(Config{ID: "x", OperationIdleTimeout: 50 * time.Millisecond, MaxResultRows: 1000}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; s.Close() }()
	u := "ida"
	o, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u})
	resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: o.SessionHandle, Statement: "SELECT 1"})
	testenv.Eventually(t, 10*time.Second, func() error {
		fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 10})
		if fr.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
			return fmt.Errorf("idle operation still open: %v", fr.Status)
		}
		return nil
	})
	big, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: o.SessionHandle, Statement: "SELECT * FROM range(5000)"})
	if big.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(big.Status.GetErrorMessage(), "kitsune.operation.result.max.rows") {
		t.Errorf("result over the bound: %v", big.Status)
	}
}
