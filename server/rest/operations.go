package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// opener opens an operation on session sh from the request body q.
type opener[Q any] func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q Q) (*tcli.TStatus, *tcli.TOperationHandle, error)

// submit is an operation-opening endpoint: the session of the path, the
// JSON body decoded into Q, the call, the operation's handle.
func submit[Q any](h *Handler, open opener[Q]) route {
	var zero Q
	r := route{fn: func(r *http.Request, id identity) (any, error) {
		var q Q
		if err := decode(r, &q); err != nil {
			return nil, err
		}
		s, err := h.session(r, id)
		if err != nil {
			return nil, err
		}
		st, op, err := open(as(r, id, id.Admin), h.gw.CLI(), s.Handle, q)
		if err := failed(st, err); err != nil {
			return nil, err
		}
		return OperationHandle{Identifier: serve.HandleID(op.OperationId.GUID)}, nil
	}}
	if _, none := any(zero).(struct{}); !none {
		r.body = zero
	}
	return r
}

// opening are the operation-opening endpoints, by path.
func (h *Handler) opening() map[string]route {
	type none = struct{}
	return map[string]route{
		"statement": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q StatementRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			if strings.TrimSpace(q.Statement) == "" {
				return nil, nil, badRequest("the statement is empty: send {\"statement\": \"SELECT 1\"}")
			}
			resp, err := cli.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: q.Statement,
				ConfOverlay: q.ConfOverlay, RunAsync: q.RunAsync, QueryTimeout: q.QueryTimeout})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"typeInfo": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, _ none) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetTypeInfo(ctx, &tcli.TGetTypeInfoReq{SessionHandle: sh})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"catalogs": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, _ none) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetCatalogs(ctx, &tcli.TGetCatalogsReq{SessionHandle: sh})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"tableTypes": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, _ none) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetTableTypes(ctx, &tcli.TGetTableTypesReq{SessionHandle: sh})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"schemas": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetSchemasRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetSchemas(ctx, &tcli.TGetSchemasReq{SessionHandle: sh, CatalogName: ident(q.CatalogName), SchemaName: pattern(q.SchemaName)})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"tables": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetTablesRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetTables(ctx, &tcli.TGetTablesReq{SessionHandle: sh, CatalogName: pattern(q.CatalogName), SchemaName: pattern(q.SchemaName),
				TableName: pattern(q.TableName), TableTypes: q.TableTypes})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"columns": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetColumnsRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetColumns(ctx, &tcli.TGetColumnsReq{SessionHandle: sh, CatalogName: ident(q.CatalogName), SchemaName: pattern(q.SchemaName),
				TableName: pattern(q.TableName), ColumnName: pattern(q.ColumnName)})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"functions": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetFunctionsRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetFunctions(ctx, &tcli.TGetFunctionsReq{SessionHandle: sh, CatalogName: ident(q.CatalogName), SchemaName: pattern(q.SchemaName),
				FunctionName: tcli.TPatternOrIdentifier(q.FunctionName)})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"primaryKeys": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetPrimaryKeysRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetPrimaryKeys(ctx, &tcli.TGetPrimaryKeysReq{SessionHandle: sh, CatalogName: ident(q.CatalogName), SchemaName: ident(q.SchemaName),
				TableName: ident(q.TableName)})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
		"crossReference": submit(h, func(ctx context.Context, cli tcli.TCLIService, sh *tcli.TSessionHandle, q GetCrossReferenceRequest) (*tcli.TStatus, *tcli.TOperationHandle, error) {
			resp, err := cli.GetCrossReference(ctx, &tcli.TGetCrossReferenceReq{SessionHandle: sh,
				ParentCatalogName: ident(q.PrimaryCatalog), ParentSchemaName: ident(q.PrimarySchema), ParentTableName: ident(q.PrimaryTable),
				ForeignCatalogName: ident(q.ForeignCatalog), ForeignSchemaName: ident(q.ForeignSchema), ForeignTableName: ident(q.ForeignTable)})
			return resp.GetStatus(), resp.GetOperationHandle(), err
		}),
	}
}

// operation finds the operation of the {operationHandle} path parameter
// that id may use.
func (h *Handler) operation(r *http.Request, id identity) (Operation, error) {
	guid, err := parseUUID(r.PathValue("operationHandle"))
	if err != nil {
		return Operation{}, err
	}
	owner := id.User
	if id.Admin {
		owner = ""
	}
	op, err := h.gw.Operation(r.Context(), guid, owner)
	if err != nil {
		return Operation{}, notFound("no operation %s for %s: %v", r.PathValue("operationHandle"), id.User, err)
	}
	return op, nil
}

// state asks the engine how operation op stands.
func (h *Handler) state(r *http.Request, id identity, op Operation) *tcli.TGetOperationStatusResp {
	resp, err := h.gw.CLI().GetOperationStatus(as(r, id, true), &tcli.TGetOperationStatusReq{OperationHandle: op.Handle})
	if err != nil || resp == nil {
		return &tcli.TGetOperationStatusResp{}
	}
	return resp
}

// stateName is Kyuubi's name of the state a status reply tells.
func stateName(resp *tcli.TGetOperationStatusResp) string {
	if resp.OperationState == nil {
		return serve.StateName("")
	}
	return serve.StateName(resp.OperationState.String())
}

func (h *Handler) operationData(r *http.Request, id identity, s Session, op Operation) OperationData {
	st := h.state(r, id, op)
	return OperationData{Identifier: serve.HandleID(op.Handle.OperationId.GUID), Statement: op.Statement, State: stateName(st),
		CreateTime: millis(op.Created), StartTime: st.GetOperationStarted(), CompleteTime: st.GetOperationCompleted(), Exception: st.GetErrorMessage(),
		SessionID: serve.HandleID(s.Handle.SessionId.GUID), SessionUser: s.User, SessionType: "INTERACTIVE", KyuubiInstance: h.cfg.Instance, Metrics: map[string]string{}}
}

func (h *Handler) operationEvent(r *http.Request, id identity) (any, error) {
	op, err := h.operation(r, id)
	if err != nil {
		return nil, err
	}
	st := h.state(r, id, op)
	ev := OperationEvent{StatementID: serve.HandleID(op.Handle.OperationId.GUID), Statement: op.Statement, ShouldRunAsync: true, State: stateName(st),
		EventTime: millis(time.Now()), CreateTime: millis(op.Created), StartTime: st.GetOperationStarted(), CompleteTime: st.GetOperationCompleted(),
		SessionID: serve.HandleID(op.SessionID), SessionUser: op.User, SessionType: "INTERACTIVE", KyuubiInstance: h.cfg.Instance, Metrics: map[string]string{}}
	if m := st.GetErrorMessage(); m != "" {
		ev.Exception = &Exception{Message: m}
	}
	return ev, nil
}

func (h *Handler) operationAction(r *http.Request, id identity) (any, error) {
	var q OpActionRequest
	if err := decode(r, &q); err != nil {
		return nil, err
	}
	op, err := h.operation(r, id)
	if err != nil {
		return nil, err
	}
	ctx := as(r, id, id.Admin)
	switch strings.ToLower(q.Action) {
	case "cancel":
		resp, err := h.gw.CLI().CancelOperation(ctx, &tcli.TCancelOperationReq{OperationHandle: op.Handle})
		return nil, failed(resp.GetStatus(), err)
	case "close":
		resp, err := h.gw.CLI().CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: op.Handle})
		return nil, failed(resp.GetStatus(), err)
	}
	return nil, badRequest("action %q is not one of cancel, close", q.Action)
}

func (h *Handler) closeOperation(r *http.Request, id identity) (any, error) {
	op, err := h.operation(r, id)
	if err != nil {
		return nil, err
	}
	resp, err := h.gw.CLI().CloseOperation(as(r, id, true), &tcli.TCloseOperationReq{OperationHandle: op.Handle})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	return text("Operation " + r.PathValue("operationHandle") + " is closed successfully."), nil
}

func (h *Handler) resultSetMetadata(r *http.Request, id identity) (any, error) {
	op, err := h.operation(r, id)
	if err != nil {
		return nil, err
	}
	resp, err := h.gw.CLI().GetResultSetMetadata(as(r, id, id.Admin), &tcli.TGetResultSetMetadataReq{OperationHandle: op.Handle})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	out := ResultSetMetaData{Columns: []ColumnDesc{}}
	for _, c := range resp.GetSchema().GetColumns() {
		out.Columns = append(out.Columns, columnDesc(c))
	}
	return out, nil
}

// fetching is the operation and the maxrows of a fetch endpoint.
func (h *Handler) fetching(r *http.Request, id identity) (Operation, int, error) {
	op, err := h.operation(r, id)
	if err != nil {
		return op, 0, err
	}
	max, err := intParam(r, "maxrows", 100)
	return op, max, err
}

func (h *Handler) operationLog(r *http.Request, id identity) (any, error) {
	op, max, err := h.fetching(r, id)
	if err != nil {
		return nil, err
	}
	resp, err := h.gw.CLI().FetchResults(as(r, id, id.Admin), &tcli.TFetchResultsReq{OperationHandle: op.Handle,
		Orientation: tcli.TFetchOrientation_FETCH_NEXT, MaxRows: int64(max), FetchType: 1})
	out := OperationLog{LogRowSet: []string{}}
	if failed(resp.GetStatus(), err) != nil {
		return out, nil // an engine without logs has none to give
	}
	for _, row := range rows(resp.GetResults()) {
		if len(row.Fields) > 0 {
			if s, ok := row.Fields[0].Value.(string); ok {
				out.LogRowSet = append(out.LogRowSet, s)
			}
		}
	}
	out.RowCount = len(out.LogRowSet)
	return out, nil
}

func (h *Handler) rowSet(r *http.Request, id identity) (any, error) {
	op, max, err := h.fetching(r, id)
	if err != nil {
		return nil, err
	}
	orient := tcli.TFetchOrientation_FETCH_NEXT
	if o := r.URL.Query().Get("fetchorientation"); o != "" {
		if orient, err = tcli.TFetchOrientationFromString(strings.ToUpper(o)); err != nil {
			return nil, badRequest("fetchorientation %q is not FETCH_NEXT or FETCH_FIRST", o)
		}
	}
	resp, err := h.gw.CLI().FetchResults(as(r, id, id.Admin), &tcli.TFetchResultsReq{OperationHandle: op.Handle, Orientation: orient, MaxRows: int64(max)})
	if err := failed(resp.GetStatus(), err); err != nil {
		return nil, err
	}
	out := rows(resp.GetResults())
	return ResultRowSet{Rows: out, RowCount: len(out)}, nil
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("%s=%q is not a non-negative number", name, v)
	}
	return n, nil
}

// ident and pattern are the optional names of the metadata requests.
func ident(s string) *tcli.TIdentifier {
	if s == "" {
		return nil
	}
	v := tcli.TIdentifier(s)
	return &v
}

func pattern(s string) *tcli.TPatternOrIdentifier {
	if s == "" {
		return nil
	}
	v := tcli.TPatternOrIdentifier(s)
	return &v
}
