package inproc

import (
	"context"
	"strings"
	"sync"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Engine is a small HS2 engine for unit tests: sessions and operations
// with real handles, and one result for every statement — a STRING column
// "statement" holding the statement's text, or an error (SQLSTATE 42000)
// for a statement that starts with FAIL. Metadata calls open operations
// with no rows. It counts the calls it answers.
type Engine struct {
	serve.NoDelegationTokens
	mu       sync.Mutex
	sessions map[string]string // GUID → user
	ops      map[string]*op
	calls    map[string]int
}

type op struct {
	session, text string
	fetched       bool
}

var _ tcli.TCLIService = (*Engine)(nil)

// NewEngine returns an engine with no sessions.
func NewEngine() *Engine {
	return &Engine{sessions: map[string]string{}, ops: map[string]*op{}, calls: map[string]int{}}
}

// Calls is how often method was called.
func (e *Engine) Calls(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method]
}

// Sessions is the number of open sessions.
func (e *Engine) Sessions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sessions)
}

func (e *Engine) count(method string) {
	e.mu.Lock()
	e.calls[method]++
	e.mu.Unlock()
}

func (e *Engine) session(h *tcli.TSessionHandle) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.sessions[string(h.GetSessionId().GetGUID())]
	return h != nil && ok
}

// open opens an operation of session h; nil status when h is unknown.
func (e *Engine) open(h *tcli.TSessionHandle, text string, ty tcli.TOperationType) (*tcli.TOperationHandle, *tcli.TStatus) {
	if !e.session(h) {
		return nil, status.InvalidHandle("session")
	}
	oh := &tcli.TOperationHandle{OperationId: serve.NewHandleID(), OperationType: ty, HasResultSet: true}
	e.mu.Lock()
	e.ops[string(oh.OperationId.GUID)] = &op{session: string(h.SessionId.GUID), text: text}
	e.mu.Unlock()
	return oh, status.OK()
}

func (e *Engine) op(h *tcli.TOperationHandle) *op {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ops[string(h.GetOperationId().GetGUID())]
}

// OpenSession implements tcli.TCLIService.
func (e *Engine) OpenSession(_ context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	e.count("OpenSession")
	h := &tcli.TSessionHandle{SessionId: serve.NewHandleID()}
	e.mu.Lock()
	e.sessions[string(h.SessionId.GUID)] = req.GetUsername()
	e.mu.Unlock()
	return &tcli.TOpenSessionResp{Status: status.OK(), ServerProtocolVersion: req.ClientProtocol, SessionHandle: h,
		Configuration: req.Configuration}, nil
}

// CloseSession implements tcli.TCLIService.
func (e *Engine) CloseSession(_ context.Context, req *tcli.TCloseSessionReq) (*tcli.TCloseSessionResp, error) {
	e.count("CloseSession")
	if !e.session(req.SessionHandle) {
		return &tcli.TCloseSessionResp{Status: status.InvalidHandle("session")}, nil
	}
	e.mu.Lock()
	delete(e.sessions, string(req.SessionHandle.SessionId.GUID))
	e.mu.Unlock()
	return &tcli.TCloseSessionResp{Status: status.OK()}, nil
}

// ExecuteStatement implements tcli.TCLIService.
func (e *Engine) ExecuteStatement(_ context.Context, req *tcli.TExecuteStatementReq) (*tcli.TExecuteStatementResp, error) {
	e.count("ExecuteStatement")
	if strings.HasPrefix(req.Statement, "FAIL") {
		return &tcli.TExecuteStatementResp{Status: status.From(&status.Error{SQLState: "42000", Message: "refused: " + req.Statement})}, nil
	}
	oh, st := e.open(req.SessionHandle, req.Statement, tcli.TOperationType_EXECUTE_STATEMENT)
	return &tcli.TExecuteStatementResp{Status: st, OperationHandle: oh}, nil
}

// GetOperationStatus implements tcli.TCLIService.
func (e *Engine) GetOperationStatus(_ context.Context, req *tcli.TGetOperationStatusReq) (*tcli.TGetOperationStatusResp, error) {
	e.count("GetOperationStatus")
	if e.op(req.OperationHandle) == nil {
		return &tcli.TGetOperationStatusResp{Status: status.InvalidHandle("operation")}, nil
	}
	st := tcli.TOperationState_FINISHED_STATE
	return &tcli.TGetOperationStatusResp{Status: status.OK(), OperationState: &st}, nil
}

// FetchResults implements tcli.TCLIService: the statement's text once.
func (e *Engine) FetchResults(_ context.Context, req *tcli.TFetchResultsReq) (*tcli.TFetchResultsResp, error) {
	e.count("FetchResults")
	o := e.op(req.OperationHandle)
	if o == nil {
		return &tcli.TFetchResultsResp{Status: status.InvalidHandle("operation")}, nil
	}
	e.mu.Lock()
	var vals []string
	if !o.fetched && o.text != "" {
		vals = []string{o.text}
	}
	o.fetched = true
	e.mu.Unlock()
	more := false
	col := &tcli.TColumn{StringVal: &tcli.TStringColumn{Values: vals, Nulls: []byte{}}}
	return &tcli.TFetchResultsResp{Status: status.OK(), HasMoreRows: &more,
		Results: &tcli.TRowSet{Rows: []*tcli.TRow{}, Columns: []*tcli.TColumn{col}}}, nil
}

// GetResultSetMetadata implements tcli.TCLIService.
func (e *Engine) GetResultSetMetadata(_ context.Context, req *tcli.TGetResultSetMetadataReq) (*tcli.TGetResultSetMetadataResp, error) {
	e.count("GetResultSetMetadata")
	if e.op(req.OperationHandle) == nil {
		return &tcli.TGetResultSetMetadataResp{Status: status.InvalidHandle("operation")}, nil
	}
	typ := &tcli.TTypeDesc{Types: []*tcli.TTypeEntry{{PrimitiveEntry: &tcli.TPrimitiveTypeEntry{Type: tcli.TTypeId_STRING_TYPE}}}}
	return &tcli.TGetResultSetMetadataResp{Status: status.OK(),
		Schema: &tcli.TTableSchema{Columns: []*tcli.TColumnDesc{{ColumnName: "statement", TypeDesc: typ, Position: 1}}}}, nil
}

// CloseOperation implements tcli.TCLIService.
func (e *Engine) CloseOperation(_ context.Context, req *tcli.TCloseOperationReq) (*tcli.TCloseOperationResp, error) {
	e.count("CloseOperation")
	if e.op(req.OperationHandle) == nil {
		return &tcli.TCloseOperationResp{Status: status.InvalidHandle("operation")}, nil
	}
	e.mu.Lock()
	delete(e.ops, string(req.OperationHandle.OperationId.GUID))
	e.mu.Unlock()
	return &tcli.TCloseOperationResp{Status: status.OK()}, nil
}

// CancelOperation implements tcli.TCLIService.
func (e *Engine) CancelOperation(_ context.Context, req *tcli.TCancelOperationReq) (*tcli.TCancelOperationResp, error) {
	e.count("CancelOperation")
	if e.op(req.OperationHandle) == nil {
		return &tcli.TCancelOperationResp{Status: status.InvalidHandle("operation")}, nil
	}
	return &tcli.TCancelOperationResp{Status: status.OK()}, nil
}
