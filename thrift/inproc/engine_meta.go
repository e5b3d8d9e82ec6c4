package inproc

import (
	"context"
	"encoding/hex"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// The metadata calls open operations with no rows.

// GetTypeInfo implements tcli.TCLIService.
func (e *Engine) GetTypeInfo(_ context.Context, req *tcli.TGetTypeInfoReq) (*tcli.TGetTypeInfoResp, error) {
	e.count("GetTypeInfo")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_TYPE_INFO)
	return &tcli.TGetTypeInfoResp{Status: st, OperationHandle: oh}, nil
}

// GetCatalogs implements tcli.TCLIService.
func (e *Engine) GetCatalogs(_ context.Context, req *tcli.TGetCatalogsReq) (*tcli.TGetCatalogsResp, error) {
	e.count("GetCatalogs")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_CATALOGS)
	return &tcli.TGetCatalogsResp{Status: st, OperationHandle: oh}, nil
}

// GetSchemas implements tcli.TCLIService.
func (e *Engine) GetSchemas(_ context.Context, req *tcli.TGetSchemasReq) (*tcli.TGetSchemasResp, error) {
	e.count("GetSchemas")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_SCHEMAS)
	return &tcli.TGetSchemasResp{Status: st, OperationHandle: oh}, nil
}

// GetTables implements tcli.TCLIService.
func (e *Engine) GetTables(_ context.Context, req *tcli.TGetTablesReq) (*tcli.TGetTablesResp, error) {
	e.count("GetTables")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_TABLES)
	return &tcli.TGetTablesResp{Status: st, OperationHandle: oh}, nil
}

// GetTableTypes implements tcli.TCLIService.
func (e *Engine) GetTableTypes(_ context.Context, req *tcli.TGetTableTypesReq) (*tcli.TGetTableTypesResp, error) {
	e.count("GetTableTypes")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_TABLE_TYPES)
	return &tcli.TGetTableTypesResp{Status: st, OperationHandle: oh}, nil
}

// GetColumns implements tcli.TCLIService.
func (e *Engine) GetColumns(_ context.Context, req *tcli.TGetColumnsReq) (*tcli.TGetColumnsResp, error) {
	e.count("GetColumns")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_COLUMNS)
	return &tcli.TGetColumnsResp{Status: st, OperationHandle: oh}, nil
}

// GetFunctions implements tcli.TCLIService.
func (e *Engine) GetFunctions(_ context.Context, req *tcli.TGetFunctionsReq) (*tcli.TGetFunctionsResp, error) {
	e.count("GetFunctions")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_FUNCTIONS)
	return &tcli.TGetFunctionsResp{Status: st, OperationHandle: oh}, nil
}

// GetPrimaryKeys implements tcli.TCLIService.
func (e *Engine) GetPrimaryKeys(_ context.Context, req *tcli.TGetPrimaryKeysReq) (*tcli.TGetPrimaryKeysResp, error) {
	e.count("GetPrimaryKeys")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_FUNCTIONS)
	return &tcli.TGetPrimaryKeysResp{Status: st, OperationHandle: oh}, nil
}

// GetCrossReference implements tcli.TCLIService.
func (e *Engine) GetCrossReference(_ context.Context, req *tcli.TGetCrossReferenceReq) (*tcli.TGetCrossReferenceResp, error) {
	e.count("GetCrossReference")
	oh, st := e.open(req.SessionHandle, "", tcli.TOperationType_GET_FUNCTIONS)
	return &tcli.TGetCrossReferenceResp{Status: st, OperationHandle: oh}, nil
}

// GetInfo implements tcli.TCLIService.
func (e *Engine) GetInfo(_ context.Context, req *tcli.TGetInfoReq) (*tcli.TGetInfoResp, error) {
	e.count("GetInfo")
	v := "inproc"
	if !e.session(req.SessionHandle) {
		return &tcli.TGetInfoResp{Status: status.InvalidHandle("session"), InfoValue: status.EmptyInfo()}, nil
	}
	return &tcli.TGetInfoResp{Status: status.OK(), InfoValue: &tcli.TGetInfoValue{StringValue: &v}}, nil
}

// GetQueryId implements tcli.TCLIService.
func (e *Engine) GetQueryId(_ context.Context, req *tcli.TGetQueryIdReq) (*tcli.TGetQueryIdResp, error) {
	e.count("GetQueryId")
	return &tcli.TGetQueryIdResp{QueryId: "q-" + hex.EncodeToString(req.GetOperationHandle().GetOperationId().GetGUID())}, nil
}

// SetClientInfo implements tcli.TCLIService.
func (e *Engine) SetClientInfo(_ context.Context, req *tcli.TSetClientInfoReq) (*tcli.TSetClientInfoResp, error) {
	e.count("SetClientInfo")
	if !e.session(req.SessionHandle) {
		return &tcli.TSetClientInfoResp{Status: status.InvalidHandle("session")}, nil
	}
	return &tcli.TSetClientInfoResp{Status: status.OK()}, nil
}
