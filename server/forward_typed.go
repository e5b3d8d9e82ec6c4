package server

import (
	"context"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// The typed TCLIService methods of the routed calls, for in-process
// callers: each goes through the forwarding table (forward.go) as the raw
// processor functions do, so there is one way a call is routed.

// ExecuteStatement implements tcli.TCLIService.
func (h *handler) ExecuteStatement(ctx context.Context, req *tcli.TExecuteStatementReq) (*tcli.TExecuteStatementResp, error) {
	resp := &tcli.TExecuteStatementResp{}
	return resp, h.call(ctx, "ExecuteStatement", req, resp)
}

// GetTypeInfo implements tcli.TCLIService.
func (h *handler) GetTypeInfo(ctx context.Context, req *tcli.TGetTypeInfoReq) (*tcli.TGetTypeInfoResp, error) {
	resp := &tcli.TGetTypeInfoResp{}
	return resp, h.call(ctx, "GetTypeInfo", req, resp)
}

// GetCatalogs implements tcli.TCLIService.
func (h *handler) GetCatalogs(ctx context.Context, req *tcli.TGetCatalogsReq) (*tcli.TGetCatalogsResp, error) {
	resp := &tcli.TGetCatalogsResp{}
	return resp, h.call(ctx, "GetCatalogs", req, resp)
}

// GetSchemas implements tcli.TCLIService.
func (h *handler) GetSchemas(ctx context.Context, req *tcli.TGetSchemasReq) (*tcli.TGetSchemasResp, error) {
	resp := &tcli.TGetSchemasResp{}
	return resp, h.call(ctx, "GetSchemas", req, resp)
}

// GetTables implements tcli.TCLIService.
func (h *handler) GetTables(ctx context.Context, req *tcli.TGetTablesReq) (*tcli.TGetTablesResp, error) {
	resp := &tcli.TGetTablesResp{}
	return resp, h.call(ctx, "GetTables", req, resp)
}

// GetTableTypes implements tcli.TCLIService.
func (h *handler) GetTableTypes(ctx context.Context, req *tcli.TGetTableTypesReq) (*tcli.TGetTableTypesResp, error) {
	resp := &tcli.TGetTableTypesResp{}
	return resp, h.call(ctx, "GetTableTypes", req, resp)
}

// GetColumns implements tcli.TCLIService.
func (h *handler) GetColumns(ctx context.Context, req *tcli.TGetColumnsReq) (*tcli.TGetColumnsResp, error) {
	resp := &tcli.TGetColumnsResp{}
	return resp, h.call(ctx, "GetColumns", req, resp)
}

// GetFunctions implements tcli.TCLIService.
func (h *handler) GetFunctions(ctx context.Context, req *tcli.TGetFunctionsReq) (*tcli.TGetFunctionsResp, error) {
	resp := &tcli.TGetFunctionsResp{}
	return resp, h.call(ctx, "GetFunctions", req, resp)
}

// GetPrimaryKeys implements tcli.TCLIService.
func (h *handler) GetPrimaryKeys(ctx context.Context, req *tcli.TGetPrimaryKeysReq) (*tcli.TGetPrimaryKeysResp, error) {
	resp := &tcli.TGetPrimaryKeysResp{}
	return resp, h.call(ctx, "GetPrimaryKeys", req, resp)
}

// GetCrossReference implements tcli.TCLIService.
func (h *handler) GetCrossReference(ctx context.Context, req *tcli.TGetCrossReferenceReq) (*tcli.TGetCrossReferenceResp, error) {
	resp := &tcli.TGetCrossReferenceResp{}
	return resp, h.call(ctx, "GetCrossReference", req, resp)
}

// SetClientInfo implements tcli.TCLIService.
func (h *handler) SetClientInfo(ctx context.Context, req *tcli.TSetClientInfoReq) (*tcli.TSetClientInfoResp, error) {
	resp := &tcli.TSetClientInfoResp{}
	return resp, h.call(ctx, "SetClientInfo", req, resp)
}

// GetInfo implements tcli.TCLIService.
func (h *handler) GetInfo(ctx context.Context, req *tcli.TGetInfoReq) (*tcli.TGetInfoResp, error) {
	resp := &tcli.TGetInfoResp{}
	return resp, h.call(ctx, "GetInfo", req, resp)
}

// GetOperationStatus implements tcli.TCLIService.
func (h *handler) GetOperationStatus(ctx context.Context, req *tcli.TGetOperationStatusReq) (*tcli.TGetOperationStatusResp, error) {
	resp := &tcli.TGetOperationStatusResp{}
	return resp, h.call(ctx, "GetOperationStatus", req, resp)
}

// CancelOperation implements tcli.TCLIService.
func (h *handler) CancelOperation(ctx context.Context, req *tcli.TCancelOperationReq) (*tcli.TCancelOperationResp, error) {
	resp := &tcli.TCancelOperationResp{}
	return resp, h.call(ctx, "CancelOperation", req, resp)
}

// CloseOperation implements tcli.TCLIService.
func (h *handler) CloseOperation(ctx context.Context, req *tcli.TCloseOperationReq) (*tcli.TCloseOperationResp, error) {
	resp := &tcli.TCloseOperationResp{}
	return resp, h.call(ctx, "CloseOperation", req, resp)
}

// GetResultSetMetadata implements tcli.TCLIService.
func (h *handler) GetResultSetMetadata(ctx context.Context, req *tcli.TGetResultSetMetadataReq) (*tcli.TGetResultSetMetadataResp, error) {
	resp := &tcli.TGetResultSetMetadataResp{}
	return resp, h.call(ctx, "GetResultSetMetadata", req, resp)
}

// FetchResults implements tcli.TCLIService.
func (h *handler) FetchResults(ctx context.Context, req *tcli.TFetchResultsReq) (*tcli.TFetchResultsResp, error) {
	resp := &tcli.TFetchResultsResp{}
	return resp, h.call(ctx, "FetchResults", req, resp)
}

// GetQueryId implements tcli.TCLIService.
func (h *handler) GetQueryId(ctx context.Context, req *tcli.TGetQueryIdReq) (*tcli.TGetQueryIdResp, error) {
	resp := &tcli.TGetQueryIdResp{}
	return resp, h.call(ctx, "GetQueryId", req, resp)
}
