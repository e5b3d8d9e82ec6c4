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
		_, state, msg := sparkOutcome(s, sh, q)
		if state != want[0] || !strings.Contains(msg, want[1]) {
			t.Errorf("%s: %s %q, want %s %q", q, state, msg, want[0], want[1])
		}
	}
}

// sparkOutcome runs q and gives its first value ("NULL" for a NULL), or
// the SQLSTATE and message it failed with, at once or while running.
func sparkOutcome(s *Service, sh *tcli.TSessionHandle, q string) (value, state, msg string) {
	ctx := context.Background()
	resp, _ := s.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q})
	if st := resp.Status; st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		return "", st.GetSqlState(), st.GetErrorMessage()
	}
	fr, _ := s.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 10})
	if st := fr.Status; st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		return "", st.GetSqlState(), st.GetErrorMessage()
	}
	if fr.Results != nil && len(fr.Results.Columns) > 0 {
		c := fr.Results.Columns[0]
		if nulls := columnNulls(c); len(nulls) > 0 && nulls[0]&1 == 1 {
			return "NULL", "", ""
		}
		return cellString(c, 0), "", ""
	}
	os, _ := s.GetOperationStatus(ctx, &tcli.TGetOperationStatusReq{OperationHandle: resp.OperationHandle})
	return "", os.GetSqlState(), os.GetErrorMessage()
}

// sparkAnswer is q's first value, or its SQLSTATE when it fails.
func sparkAnswer(s *Service, sh *tcli.TSessionHandle, q string) string {
	v, state, _ := sparkOutcome(s, sh, q)
	if state != "" {
		return state
	}
	return v
}

// columnNulls is a column's null bitmap, whatever its type.
func columnNulls(c *tcli.TColumn) []byte {
	switch {
	case c.StringVal != nil:
		return c.StringVal.Nulls
	case c.I64Val != nil:
		return c.I64Val.Nulls
	case c.I32Val != nil:
		return c.I32Val.Nulls
	case c.I16Val != nil:
		return c.I16Val.Nulls
	case c.ByteVal != nil:
		return c.ByteVal.Nulls
	case c.DoubleVal != nil:
		return c.DoubleVal.Nulls
	case c.BoolVal != nil:
		return c.BoolVal.Nulls
	case c.BinaryVal != nil:
		return c.BinaryVal.Nulls
	}
	return nil
}
