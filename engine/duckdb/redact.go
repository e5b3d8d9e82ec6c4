package duckdb

import (
	"strings"

	"go.uber.org/zap"

	secrets "github.com/kitsune-sql/kitsune/internal/redact"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// redact hides secrets in a statement, for logs.
func redact(stmt string) string { return secrets.Statement(stmt) }

// statementField is the statement for the engine log: redacted when
// statement logging is on, absent otherwise.
func (s *Service) statementField(op *operation) zap.Field {
	if !s.cfg.LogStatements {
		return zap.Skip()
	}
	return zap.String("statement", redact(op.stmt))
}

// logFailure logs a failed statement: its SQLSTATE and DuckDB's error
// class, and the message (which may quote the statement) only when
// statement logging is on.
func (s *Service) logFailure(op *operation, err error) {
	st := status.From(err)
	fields := []zap.Field{zap.String("user", op.sess.user), zap.String("sqlstate", st.GetSqlState())}
	if s.cfg.LogStatements {
		fields = append(fields, s.statementField(op), zap.String("error", redact(err.Error())))
	} else {
		class, _, _ := strings.Cut(err.Error(), ":")
		fields = append(fields, zap.String("error_class", class))
	}
	s.lg.Info("statement failed", fields...)
}
