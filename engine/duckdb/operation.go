package duckdb

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// operation is one statement or metadata call and its buffered result.
type operation struct {
	handle *tcli.TOperationHandle
	sess   *session
	stmt   string
	prep   prepared
	cancel context.CancelFunc
	done   chan struct{}

	mu struct {
		sync.Mutex
		state      tcli.TOperationState
		err        error
		started    time.Time
		completed  time.Time
		rs         *resultSet
		modified   int64
		logs       []string
		logPos     int
		info       string
		lastAccess time.Time
	}
}

func (op *operation) log(format string, args ...any) {
	op.mu.Lock()
	op.mu.logs = append(op.mu.logs, time.Now().Format("2006-01-02 15:04:05.000")+" "+fmt.Sprintf(format, args...))
	op.mu.Unlock()
}

func (s *Service) newOperation(ss *session, typ tcli.TOperationType, stmt string) *operation {
	op := &operation{
		handle: &tcli.TOperationHandle{OperationId: serve.NewHandleID(), OperationType: typ},
		sess:   ss,
		stmt:   stmt,
		done:   make(chan struct{}),
	}
	op.mu.state = tcli.TOperationState_INITIALIZED_STATE
	op.mu.started = time.Now()
	op.mu.lastAccess = op.mu.started
	key := serve.Key(op.handle.OperationId)
	s.ops.Put(key, op)
	s.opened.Add(1)
	ss.mu.Lock()
	ss.mu.ops[key] = op
	ss.mu.Unlock()
	return op
}

func (s *Service) closeOperation(op *operation) {
	if op.cancel != nil {
		op.cancel()
	}
	key := serve.Key(op.handle.OperationId)
	s.ops.Delete(key)
	op.sess.mu.Lock()
	delete(op.sess.mu.ops, key)
	op.sess.mu.Unlock()
	op.mu.Lock()
	if op.mu.rs != nil {
		op.mu.rs.release()
	}
	op.mu.rs = nil
	if op.mu.state == tcli.TOperationState_RUNNING_STATE || op.mu.state == tcli.TOperationState_PENDING_STATE || op.mu.state == tcli.TOperationState_INITIALIZED_STATE {
		op.mu.state = tcli.TOperationState_CLOSED_STATE
	}
	op.mu.Unlock()
}

// queryTimeout is the smaller non-zero of the client's, the session's and
// the engine's timeouts.
func (s *Service) queryTimeout(ss *session, clientSeconds int64) time.Duration {
	t := s.cfg.QueryTimeout
	ss.mu.Lock()
	d, ok := conf.SessionQueryTimeout(ss.mu.confs)
	ss.mu.Unlock()
	pick := func(d time.Duration) {
		if d > 0 && (t == 0 || d < t) {
			t = d
		}
	}
	if ok {
		pick(d)
	}
	pick(time.Duration(clientSeconds) * time.Second)
	return t
}

// ExecuteStatement implements tcli.TCLIService.
func (s *Service) ExecuteStatement(_ context.Context, req *tcli.TExecuteStatementReq) (*tcli.TExecuteStatementResp, error) {
	ss, err := s.session(req.SessionHandle)
	if err != nil {
		return &tcli.TExecuteStatementResp{Status: statusOf(err)}, nil
	}
	// HiveServer2 compiles before it replies, even with runAsync, so the
	// handle's hasResultSet is right in this reply (Hive JDBC reads it).
	prep, err := ss.prepare(req)
	if err != nil {
		return &tcli.TExecuteStatementResp{Status: status.From(err)}, nil
	}
	op := s.newOperation(ss, tcli.TOperationType_EXECUTE_STATEMENT, req.Statement)
	op.prep = prep
	op.handle.HasResultSet = prep.hasResultSet()
	ctx, cancel := context.WithCancel(s.base)
	if t := s.queryTimeout(ss, req.GetQueryTimeout()); t > 0 {
		ctx, cancel = context.WithTimeout(s.base, t)
	}
	op.cancel = cancel
	op.mu.Lock()
	op.mu.state = tcli.TOperationState_PENDING_STATE
	op.mu.Unlock()
	if req.GetRunAsync() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.run(ctx, op)
		}()
		return &tcli.TExecuteStatementResp{Status: status.OK(), OperationHandle: op.handle, DirectResults: s.directResults(op, req.GetDirectResults)}, nil
	}
	s.run(ctx, op)
	op.mu.Lock()
	err, info := op.mu.err, op.mu.info
	op.mu.Unlock()
	if err != nil {
		s.closeOperation(op)
		return &tcli.TExecuteStatementResp{Status: status.From(err)}, nil
	}
	st := status.OK()
	if info != "" {
		st = status.WithInfo(info)
	}
	return &tcli.TExecuteStatementResp{Status: st, OperationHandle: op.handle, DirectResults: s.directResults(op, req.GetDirectResults)}, nil
}

// run executes op's statement on its session's connection.
func (s *Service) run(ctx context.Context, op *operation) {
	defer close(op.done)
	defer op.cancel()
	ss := op.sess
	ss.exec.Lock()
	defer ss.exec.Unlock()
	op.mu.Lock()
	if op.mu.state != tcli.TOperationState_PENDING_STATE {
		op.mu.Unlock()
		return // canceled or closed while waiting
	}
	op.mu.state = tcli.TOperationState_RUNNING_STATE
	op.mu.Unlock()
	op.log("Executing statement: %s", op.stmt)
	if s.cfg.LogStatements {
		s.lg.Info("statement", zap.String("user", ss.user), s.statementField(op))
	}
	rs, modified, info, err := s.executeGuarded(ctx, op)
	op.mu.Lock()
	defer op.mu.Unlock()
	op.mu.completed = time.Now()
	if op.mu.state != tcli.TOperationState_RUNNING_STATE {
		return
	}
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		op.mu.state = tcli.TOperationState_TIMEDOUT_STATE
		op.mu.err = &status.Error{SQLState: status.StateTimeout, Message: fmt.Sprintf("statement timed out after %s (client queryTimeout or kitsune.operation.query.timeout)", op.mu.completed.Sub(op.mu.started).Round(time.Millisecond))}
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		op.mu.state = tcli.TOperationState_CANCELED_STATE
		op.mu.err = &status.Error{SQLState: status.StateCanceled, Message: "statement canceled"}
	case err != nil:
		op.mu.state = tcli.TOperationState_ERROR_STATE
		op.mu.err = err
		s.logFailure(op, err)
	default:
		op.mu.state = tcli.TOperationState_FINISHED_STATE
		op.mu.rs = rs
		op.mu.modified = modified
		op.mu.info = info
	}
	rows := 0
	if rs != nil {
		rows = rs.rows
	}
	op.mu.logs = append(op.mu.logs, fmt.Sprintf("%s Statement %s in %s, %d rows",
		op.mu.completed.Format("2006-01-02 15:04:05.000"), strings.ToLower(strings.TrimSuffix(op.mu.state.String(), "_STATE")), op.mu.completed.Sub(op.mu.started).Round(time.Microsecond), rows))
}

// executeGuarded runs execute and turns a panic into the statement's error:
// one bad statement must not take the engine, and every tenant session on
// it, down.
func (s *Service) executeGuarded(ctx context.Context, op *operation) (rs *resultSet, modified int64, info string, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.lg.Error("panic while executing a statement", s.statementField(op), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			rs, modified, info = nil, 0, ""
			err = &status.Error{SQLState: status.StateGeneral, Message: fmt.Sprintf("internal error while executing the statement: %v", p)}
		}
	}()
	return s.execute(ctx, op)
}

func (s *Service) execute(ctx context.Context, op *operation) (*resultSet, int64, string, error) {
	ss := op.sess
	if op.prep.set != nil {
		rs, err := s.set(ctx, ss, op.prep.set)
		return rs, 0, "", err
	}
	p := op.prep.plan
	if p.sql != "" && p.sql != op.prep.stmt {
		op.log("Rewritten for DuckDB: %s", p.sql)
	}
	if p.kind == planNoop {
		return nil, 0, p.note, nil
	}
	if s.authz != nil {
		if p.meta != nil {
			rs, err := s.listAuthorized(ctx, op, p)
			return rs, 0, "", err
		}
		var err error
		if p, err = s.authorizePlan(ctx, op, p); err != nil {
			return nil, 0, "", err
		}
	}
	var err error
	if p.sql, err = planSpark(ctx, ss, p.sql); err != nil {
		return nil, 0, "", err
	}
	rs, n, info, err := s.runPlan(ctx, op, p)
	if err != nil && !ss.ansi() && integralOverflow(err) {
		// Spark's legacy arithmetic wraps around where DuckDB raises; the
		// statement, which changed nothing, runs again with wrapping
		// arithmetic (plan_arith.go).
		if wrapped, ok := legacyWrap(ctx, ss, p.sql); ok {
			op.log("Rewritten for Spark's legacy overflow: %s", wrapped)
			p.sql = wrapped
			return s.runPlan(ctx, op, p)
		}
	}
	return rs, n, info, err
}

// runPlan runs a planned statement.
func (s *Service) runPlan(ctx context.Context, op *operation, p plan) (*resultSet, int64, string, error) {
	ss := op.sess
	switch p.kind {
	case planExec:
		res, err := ss.conn.ExecContext(ctx, p.sql, op.prep.args...)
		if err != nil {
			return nil, 0, "", sqlError(err)
		}
		n, _ := res.RowsAffected()
		return nil, n, "", nil
	case planOverwrite:
		tx, err := ss.conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, 0, "", sqlError(err)
		}
		var n int64
		for _, q := range p.sqls {
			res, err := tx.ExecContext(ctx, q)
			if err != nil {
				_ = tx.Rollback()
				return nil, 0, "", sqlError(err)
			}
			if strings.HasPrefix(q, "INSERT") {
				n, _ = res.RowsAffected()
			}
		}
		return nil, n, "", sqlError(tx.Commit())
	}
	if op.prep.arrow != nil {
		at, err := queryArrow(ctx, ss.conn, p.sql, op.prep.args, *op.prep.arrow, s.resultCap(), op.prep.rowLimit)
		if err != nil {
			if ctx.Err() != nil {
				return nil, 0, "", ctx.Err()
			}
			return nil, 0, "", sqlError(err)
		}
		return arrowResultSet(at), 0, "", nil
	}
	rows, err := ss.conn.QueryContext(ctx, p.sql, op.prep.args...)
	if err != nil {
		return nil, 0, "", sqlError(err)
	}
	defer rows.Close()
	rs, err := scanAll(rows, s.resultCap(), op.prep.rowLimit)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, "", ctx.Err()
		}
		return nil, 0, "", sqlError(err)
	}
	return rs, 0, "", nil
}

// resultCap is what one statement's buffered result may hold.
func (s *Service) resultCap() resultCap {
	return resultCap{rows: s.cfg.MaxResultRows, bytes: s.cfg.MaxResultBytes}
}

// finished records a metadata operation's result.
func (s *Service) finished(op *operation, rs *resultSet, err error) {
	op.mu.Lock()
	defer op.mu.Unlock()
	defer close(op.done)
	op.mu.completed = time.Now()
	if err != nil {
		op.mu.state = tcli.TOperationState_ERROR_STATE
		op.mu.err = sqlError(err)
		return
	}
	op.mu.state = tcli.TOperationState_FINISHED_STATE
	op.mu.rs = rs
}

// metadataWait bounds how long GetResultSetMetadata waits for a running
// query's result.
const metadataWait = 30 * time.Second
