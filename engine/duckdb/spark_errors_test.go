package duckdb

import (
	"context"
	"strings"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Errors raised by Spark's functions carry Spark's error class and its
// SQLSTATE, as Spark reports them.
func TestSparkErrorClasses(t *testing.T) {
	s, sh := newService(t)
	for q, want := range map[string][2]string{
		"SELECT aes_encrypt('Spark', 'short')":        {"22023", "[INVALID_PARAMETER_VALUE.AES_KEY_LENGTH]"},
		"SELECT array_insert(array(1, 2), 0, 9)":      {"22003", "[INVALID_INDEX_OF_ZERO]"},
		"SELECT assert_true(1 > 2)":                   {"P0001", "[USER_RAISED_EXCEPTION] 'false' is not true!"},
		"SELECT parse_json('{\"a\": 1, \"a\": 2}')":   {"22023", "[MALFORMED_RECORD_IN_PARSING]"},
		"SELECT conv('99999999999999999999', 10, 16)": {"22003", "[ARITHMETIC_OVERFLOW]"},
		"SELECT make_interval(2147483647)":            {"22003", "[ARITHMETIC_OVERFLOW]"},
		"SELECT xpath_int('<a>', 'a')":                {"22023", "[INVALID_XML]"},
		"SELECT hash(DATE '2020-01-01')":              {StateUnsupported, "[UNSUPPORTED_FEATURE]"},
		"SELECT format_number(1, '0.0%')":             {StateUnsupported, "format_number pattern"},
	} {
		resp, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
		st := resp.Status
		if st.StatusCode == tcli.TStatusCode_SUCCESS_STATUS {
			fr, _ := s.FetchResults(context.Background(), &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 10})
			st = fr.Status
		}
		if st.GetSqlState() != want[0] || !strings.Contains(st.GetErrorMessage(), want[1]) {
			t.Errorf("%s: %s %q, want %s %q", q, st.GetSqlState(), st.GetErrorMessage(), want[0], want[1])
		}
	}
}
