package duckdb

import (
	"context"
	"fmt"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// FetchResults implements tcli.TCLIService: rows (fetchType 0) or the
// operation log (fetchType 1). Past the last row a fetch answers an empty
// page with hasMoreRows false, as HiveServer2 does (gohive reads until it
// gets one); orientations other than FETCH_NEXT and FETCH_FIRST are refused.
func (s *Service) FetchResults(_ context.Context, req *tcli.TFetchResultsReq) (*tcli.TFetchResultsResp, error) {
	op, err := s.operation(req.OperationHandle)
	if err != nil {
		return &tcli.TFetchResultsResp{Status: statusOf(err)}, nil
	}
	columnar := op.sess.columnar()
	first := req.Orientation == tcli.TFetchOrientation_FETCH_FIRST
	if req.GetFetchType() == 1 {
		return s.fetchLog(op, first, columnar), nil
	}
	switch o := req.Orientation; o {
	case tcli.TFetchOrientation_FETCH_NEXT, tcli.TFetchOrientation_FETCH_FIRST:
	default:
		return &tcli.TFetchResultsResp{Status: status.From(&status.Error{SQLState: status.StateGeneral,
			Message: "fetch orientation " + o.String() + " is not supported: use FETCH_NEXT or FETCH_FIRST"})}, nil
	}
	resp := s.fetchPage(op, page{maxRows: req.MaxRows, maxBytes: req.GetMaxBytes(), first: first, offset: req.StartRowOffset})
	if req.GetIncludeResultSetMetadata() && status.Succeeded(resp.Status) {
		resp.ResultSetMetadata = s.metadataOf(op)
	}
	return resp, nil
}

// page is what one fetch asks for.
type page struct {
	maxRows, maxBytes int64
	first             bool
	// offset, when set, positions the cursor first (a client retrying a
	// page names where it starts: TFetchResultsReq.startRowOffset).
	offset *int64
}

// fetchPage answers one page of op's result.
func (s *Service) fetchPage(op *operation, p page) *tcli.TFetchResultsResp {
	columnar := op.sess.columnar()
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.mu.state != tcli.TOperationState_FINISHED_STATE {
		return &tcli.TFetchResultsResp{Status: notFinished(op.mu.state, op.mu.err)}
	}
	rs := op.mu.rs
	if rs == nil {
		rs = newResultSet(nil, nil)
	}
	if rs.at != nil {
		return arrowPage(rs.at, p)
	}
	if p.offset != nil {
		if *p.offset < 0 || *p.offset > int64(rs.rows) {
			return &tcli.TFetchResultsResp{Status: status.From(status.Errorf(status.StateGeneral, 0,
				"startRowOffset %d is outside the result (0..%d rows)", *p.offset, rs.rows))}
		}
		rs.pos, p.first = int(*p.offset), false
	}
	set := rs.fetch(p.maxRows, p.maxBytes, p.first, columnar)
	more := rs.hasMore()
	return &tcli.TFetchResultsResp{Status: status.OK(), HasMoreRows: &more, Results: set}
}

// arrowPage answers a page of an Arrow result: record batch messages in
// arrowBatches, with the required rows field empty.
func arrowPage(at arrowTable, p page) *tcli.TFetchResultsResp {
	if p.offset != nil {
		return &tcli.TFetchResultsResp{Status: status.From(status.Errorf(status.StateGeneral, 0, "startRowOffset is not supported for Arrow results: fetch with FETCH_NEXT or FETCH_FIRST"))}
	}
	batches, start, err := at.page(p.maxRows, p.first)
	if err != nil {
		return &tcli.TFetchResultsResp{Status: status.From(fmt.Errorf("encode Arrow batch: %w", err))}
	}
	more := at.hasMore()
	return &tcli.TFetchResultsResp{Status: status.OK(), HasMoreRows: &more,
		Results: &tcli.TRowSet{StartRowOffset: start, Rows: []*tcli.TRow{}, ArrowBatches: batches}}
}

func (s *Service) fetchLog(op *operation, first, columnar bool) *tcli.TFetchResultsResp {
	op.mu.Lock()
	if first {
		op.mu.logPos = 0
	}
	lines := op.mu.logs[op.mu.logPos:]
	op.mu.logPos = len(op.mu.logs)
	op.mu.Unlock()
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = []string{l}
	}
	rs := stringTable([]string{"operation_log"}, rows)
	return &tcli.TFetchResultsResp{Status: status.OK(), HasMoreRows: new(false), Results: rs.fetch(int64(len(rows)+1), 0, true, columnar)}
}

// defaultDirectWait is how long direct results wait for a statement when
// status polls do not wait (kitsune.operation.status.polling.timeout 0).
const defaultDirectWait = 500 * time.Millisecond

// directResults answers a Databricks client's getDirectResults: the status,
// and once the operation finished its metadata and first page, closing the
// operation when that page holds the whole result (or the statement
// failed), so that a short query takes one round trip. A running
// statement is waited for as long as a status poll would wait.
func (s *Service) directResults(op *operation, want *tcli.TSparkGetDirectResults) *tcli.TSparkDirectResults {
	if want == nil {
		return nil
	}
	wait := s.cfg.StatusPollWait
	if wait <= 0 {
		wait = defaultDirectWait
	}
	t := time.NewTimer(wait)
	select {
	case <-op.done:
	case <-t.C:
	}
	t.Stop()
	d := &tcli.TSparkDirectResults{OperationStatus: s.opStatus(op, false)}
	closeOp := false
	switch d.OperationStatus.GetOperationState() {
	case tcli.TOperationState_FINISHED_STATE:
		d.ResultSetMetadata = s.metadataOf(op)
		closeOp = true
		// A statement without a result set gets no page: the Databricks
		// drivers never read it and would wait for it forever.
		if op.handle.HasResultSet {
			d.ResultSet = s.fetchPage(op, page{maxRows: want.MaxRows, maxBytes: want.GetMaxBytes()})
			closeOp = !d.ResultSet.GetHasMoreRows()
		}
	case tcli.TOperationState_CANCELED_STATE, tcli.TOperationState_TIMEDOUT_STATE, tcli.TOperationState_CLOSED_STATE:
		closeOp = true
	case tcli.TOperationState_ERROR_STATE:
		// A failed operation stays open until the client closes it, as in
		// HiveServer2: the Databricks drivers ask a statement without rows
		// for its metadata, and must hear the statement's error then, not
		// that the handle is gone.
	}
	if closeOp {
		s.closeOperation(op)
		d.CloseOperation = &tcli.TCloseOperationResp{Status: status.OK()}
	}
	return d
}
