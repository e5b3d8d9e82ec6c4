package duckdb

import (
	"context"
	"encoding/hex"
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
	switch p.kind {
	case planNoop:
		return nil, 0, p.note, nil
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

// GetOperationStatus implements tcli.TCLIService.
func (s *Service) GetOperationStatus(ctx context.Context, req *tcli.TGetOperationStatusReq) (*tcli.TGetOperationStatusResp, error) {
	op, err := s.operation(req.OperationHandle)
	if err != nil {
		return &tcli.TGetOperationStatusResp{Status: statusOf(err)}, nil
	}
	// Long polling, as HiveServer2 does: wait a little for a running
	// statement to end so that short queries need one status call.
	if s.cfg.StatusPollWait > 0 {
		t := time.NewTimer(s.cfg.StatusPollWait)
		select {
		case <-op.done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	return s.opStatus(op, req.GetGetProgressUpdate()), nil
}

// opStatus is op's GetOperationStatus answer.
func (s *Service) opStatus(op *operation, progress bool) *tcli.TGetOperationStatusResp {
	op.mu.Lock()
	defer op.mu.Unlock()
	st := op.mu.state
	resp := &tcli.TGetOperationStatusResp{Status: status.OK(), OperationState: &st}
	started := op.mu.started.UnixMilli()
	resp.OperationStarted = &started
	if !op.mu.completed.IsZero() {
		c := op.mu.completed.UnixMilli()
		resp.OperationCompleted = &c
	}
	has := op.handle.HasResultSet
	resp.HasResultSet = &has
	if op.mu.modified > 0 {
		n := op.mu.modified
		resp.NumModifiedRows = &n
	}
	if op.mu.err != nil {
		ts := status.From(op.mu.err)
		resp.SqlState = ts.SqlState
		resp.ErrorCode = ts.ErrorCode
		resp.ErrorMessage = ts.ErrorMessage
		// The Databricks drivers show displayMessage, not errorMessage.
		resp.DisplayMessage = ts.ErrorMessage
	}
	if progress {
		pct, js := 0.0, tcli.TJobExecutionStatus_IN_PROGRESS
		if st != tcli.TOperationState_RUNNING_STATE && st != tcli.TOperationState_PENDING_STATE {
			pct, js = 1.0, tcli.TJobExecutionStatus_COMPLETE
		}
		resp.ProgressUpdateResponse = &tcli.TProgressUpdateResp{
			HeaderNames: []string{}, Rows: [][]string{}, ProgressedPercentage: pct, Status: js,
			FooterSummary: "", StartTime: started,
		}
	}
	return resp
}

// CancelOperation implements tcli.TCLIService: the running query is
// interrupted through its context.
func (s *Service) CancelOperation(_ context.Context, req *tcli.TCancelOperationReq) (*tcli.TCancelOperationResp, error) {
	op, err := s.operation(req.OperationHandle)
	if err != nil {
		return &tcli.TCancelOperationResp{Status: statusOf(err)}, nil
	}
	op.mu.Lock()
	switch op.mu.state {
	case tcli.TOperationState_RUNNING_STATE, tcli.TOperationState_PENDING_STATE, tcli.TOperationState_INITIALIZED_STATE:
		op.mu.state = tcli.TOperationState_CANCELED_STATE
		op.mu.err = &status.Error{SQLState: status.StateCanceled, Message: "statement canceled"}
		op.mu.completed = time.Now()
	}
	op.mu.Unlock()
	if op.cancel != nil {
		op.cancel()
	}
	return &tcli.TCancelOperationResp{Status: status.OK()}, nil
}

// CloseOperation implements tcli.TCLIService.
func (s *Service) CloseOperation(_ context.Context, req *tcli.TCloseOperationReq) (*tcli.TCloseOperationResp, error) {
	op, err := s.operation(req.OperationHandle)
	if err != nil {
		return &tcli.TCloseOperationResp{Status: statusOf(err)}, nil
	}
	s.closeOperation(op)
	return &tcli.TCloseOperationResp{Status: status.OK()}, nil
}

// GetResultSetMetadata implements tcli.TCLIService.
//
// HiveServer2 answers it from RUNNING on (the schema is known once the
// statement compiled); the Databricks drivers ask it of a running DDL
// statement. A statement without a result set answers its empty schema at
// once; a query answers once its result is there, waiting for it as long
// as metadataWait.
func (s *Service) GetResultSetMetadata(ctx context.Context, req *tcli.TGetResultSetMetadataReq) (*tcli.TGetResultSetMetadataResp, error) {
	op, err := s.operation(req.OperationHandle)
	if err != nil {
		return &tcli.TGetResultSetMetadataResp{Status: statusOf(err)}, nil
	}
	if op.handle.HasResultSet {
		t := time.NewTimer(metadataWait)
		select {
		case <-op.done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	return s.metadataOf(op), nil
}

// metadataWait bounds how long GetResultSetMetadata waits for a running
// query's result.
const metadataWait = 30 * time.Second

// metadataOf is op's GetResultSetMetadata answer; resultFormat is always
// set (the Databricks drivers refuse a reply without it).
func (s *Service) metadataOf(op *operation) *tcli.TGetResultSetMetadataResp {
	op.mu.Lock()
	defer op.mu.Unlock()
	switch st := op.mu.state; {
	case st == tcli.TOperationState_FINISHED_STATE:
	case !op.handle.HasResultSet && (st == tcli.TOperationState_RUNNING_STATE || st == tcli.TOperationState_PENDING_STATE):
		// No result set: the (empty) schema is known before it ends.
	default:
		return &tcli.TGetResultSetMetadataResp{Status: notFinished(op.mu.state, op.mu.err)}
	}
	format := tcli.TSparkRowSetType_COLUMN_BASED_SET
	if !op.sess.columnar() {
		format = tcli.TSparkRowSetType_ROW_BASED_SET
	}
	schema := &tcli.TTableSchema{Columns: []*tcli.TColumnDesc{}}
	resp := &tcli.TGetResultSetMetadataResp{Status: status.OK(), ResultFormat: &format}
	if rs := op.mu.rs; rs != nil {
		schema = rs.schema()
		if rs.at != nil {
			format = tcli.TSparkRowSetType_ARROW_BASED_SET
			resp.ArrowSchema = rs.at.schemaIPC()
			resp.Lz4Compressed = new(rs.at.lz4())
		}
	}
	resp.Schema = schema
	return resp
}

func notFinished(st tcli.TOperationState, err error) *tcli.TStatus {
	if err != nil {
		return status.From(err)
	}
	return status.From(&status.Error{SQLState: status.StateGeneral, Message: "operation is in state " + st.String() + ", not FINISHED: poll GetOperationStatus first"})
}

// GetQueryId implements tcli.TCLIService.
func (s *Service) GetQueryId(_ context.Context, req *tcli.TGetQueryIdReq) (*tcli.TGetQueryIdResp, error) {
	if _, err := s.operation(req.OperationHandle); err != nil {
		return &tcli.TGetQueryIdResp{}, nil
	}
	return &tcli.TGetQueryIdResp{QueryId: hex.EncodeToString(req.OperationHandle.OperationId.GUID)}, nil
}
