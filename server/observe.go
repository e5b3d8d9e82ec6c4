package server

import (
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/eventlog"
	"github.com/kitsune-sql/kitsune/internal/redact"
	"github.com/kitsune-sql/kitsune/metrics"
	"github.com/kitsune-sql/kitsune/server/rest"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// observer is the one place the gateway's traffic is observed: each
// layer tells it what happened through an interface of its own
// (serve.Observer, session.Observer, engine.LaunchObserver,
// rest.Observer), and it feeds the metrics, the event log and the audit
// log from there.
type observer struct {
	m      *metrics.Metrics
	events *eventlog.Logger // nil: no event logger
	audit  *zap.Logger
	server string
}

var (
	_ serve.Observer        = (*observer)(nil)
	_ session.Observer      = (*observer)(nil)
	_ engine.LaunchObserver = (*observer)(nil)
	_ rest.Observer         = (*observer)(nil)
)

// Login is one credential check, over any transport.
func (o *observer) Login(transport, method, user, addr string, err error) {
	o.m.Login(transport, method, user, err)
	fields := []zap.Field{zap.String("user", user), zap.String("method", method), zap.String("transport", transport), zap.String("remote", addr)}
	if err != nil {
		o.audit.Info("authentication", append(fields, zap.String("result", "FAILED"), zap.String("reason", err.Error()))...)
		return
	}
	o.audit.Info("authentication", append(fields, zap.String("result", "OK"))...)
}

func (o *observer) ConnectionOpen(transport string, delta float64) {
	o.m.ConnectionOpen(transport, delta)
}
func (o *observer) Call(method string, took time.Duration) { o.m.Call(method, took) }
func (o *observer) REST(method string, status int, took time.Duration) {
	o.m.REST(method, status, took)
}

func (o *observer) Launched(typ string, took time.Duration, failure string) {
	o.m.Launched(typ, took, failure)
}

// Fetched and OperationFailed come from the forwarding table.
func (o *observer) Fetched(bytes int, rows int64)    { o.m.Fetched(bytes, rows) }
func (o *observer) OperationFailed(typ, kind string) { o.m.OperationFailed(typ, kind) }

func sessionID(s *session.Session) string { return serve.HandleID(s.Handle.SessionId.GUID) }

func transportOf(s *session.Session) string {
	if s.ConnID != 0 {
		return "binary"
	}
	return "http"
}

func (o *observer) SessionOpened(s *session.Session) {
	o.m.SessionOpened(transportOf(s))
	o.events.Emit(eventlog.SessionEvent, o.sessionEvent(s, "OPENED"))
}

func (o *observer) SessionClosed(s *session.Session) {
	o.events.Emit(eventlog.SessionEvent, o.sessionEvent(s, "CLOSED"))
}

// sessionEvent has Kyuubi's KyuubiSessionEvent fields.
func (o *observer) sessionEvent(s *session.Session, state string) map[string]any {
	e := map[string]any{"sessionId": sessionID(s), "sessionType": "INTERACTIVE", "user": s.User, "realUser": s.Owner, "clientIP": serve.HostOf(s.Addr),
		"serverIP": o.server, "clientVersion": int(s.Protocol) + 1, "engineId": s.Engine.ID, "eventTime": time.Now().UnixMilli(),
		"openedTime": s.Created.UnixMilli(), "startTime": s.Created.UnixMilli(), "totalOperations": s.OperationsOpened(), "state": state}
	if state == "CLOSED" {
		e["endTime"] = time.Now().UnixMilli()
	}
	return e
}

func (o *observer) OperationOpened(s *session.Session, op session.Operation) {
	o.m.OperationOpened(op.Type)
	o.events.Emit(eventlog.OperationEvent, o.operationEvent(s, op, "INITIALIZED"))
}

func (o *observer) OperationChanged(s *session.Session, op session.Operation) {
	o.m.StateChanged(serve.StateName(op.State))
	if op.State == "ERROR_STATE" {
		o.m.OperationFailed(op.Type, sqlClass(op.SQLState))
	}
	o.events.Emit(eventlog.OperationEvent, o.operationEvent(s, op, serve.StateName(op.State)))
}

func (o *observer) OperationClosed(s *session.Session, op session.Operation) {
	lived := time.Since(op.Created)
	o.m.OperationClosed(op.Type, lived)
	o.events.Emit(eventlog.OperationEvent, o.operationEvent(s, op, "CLOSED"))
	if op.Type == "ExecuteStatement" {
		o.audit.Info("statement", zap.String("user", s.Owner), zap.String("effective_user", s.User), zap.String("session", sessionID(s)),
			zap.String("operation", serve.HandleID(op.Handle.OperationId.GUID)), zap.String("engine", s.Engine.ID),
			zap.String("statement", redact.Statement(op.Statement)), zap.String("state", serve.StateName(op.State)),
			zap.Duration("duration", lived), zap.Int64("rows", op.Rows), zap.String("remote", s.Addr))
	}
}

// operationEvent has Kyuubi's KyuubiOperationEvent fields.
func (o *observer) operationEvent(s *session.Session, op session.Operation, state string) map[string]any {
	e := map[string]any{"statementId": serve.HandleID(op.Handle.OperationId.GUID), "statement": redact.Statement(op.Statement), "operationType": op.Type,
		"state": state, "eventTime": time.Now().UnixMilli(), "createTime": op.Created.UnixMilli(), "sessionId": sessionID(s),
		"sessionUser": s.User, "sessionType": "INTERACTIVE", "kyuubiInstance": o.server, "engineId": s.Engine.ID, "fetchedRows": op.Rows}
	if op.Error != "" {
		e["exception"] = redact.Statement(op.Error)
		e["sqlState"] = op.SQLState
	}
	return e
}
