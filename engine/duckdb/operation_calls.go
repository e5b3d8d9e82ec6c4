// The calls on an operation: status, cancel, close, metadata, query id.

package duckdb

import (
	"context"
	"encoding/hex"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

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
