package server

import (
	"context"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// GetTypeInfo implements tcli.TCLIService.
func (h *handler) GetTypeInfo(ctx context.Context, req *tcli.TGetTypeInfoReq) (*tcli.TGetTypeInfoResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetTypeInfoResp { return &tcli.TGetTypeInfoResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetTypeInfoResp, error) {
			return c.GetTypeInfo(ctx, req)
		},
		func(r *tcli.TGetTypeInfoResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetCatalogs implements tcli.TCLIService.
func (h *handler) GetCatalogs(ctx context.Context, req *tcli.TGetCatalogsReq) (*tcli.TGetCatalogsResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetCatalogsResp { return &tcli.TGetCatalogsResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetCatalogsResp, error) {
			return c.GetCatalogs(ctx, req)
		},
		func(r *tcli.TGetCatalogsResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetSchemas implements tcli.TCLIService.
func (h *handler) GetSchemas(ctx context.Context, req *tcli.TGetSchemasReq) (*tcli.TGetSchemasResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetSchemasResp { return &tcli.TGetSchemasResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetSchemasResp, error) {
			return c.GetSchemas(ctx, req)
		},
		func(r *tcli.TGetSchemasResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetTables implements tcli.TCLIService.
func (h *handler) GetTables(ctx context.Context, req *tcli.TGetTablesReq) (*tcli.TGetTablesResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetTablesResp { return &tcli.TGetTablesResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetTablesResp, error) {
			return c.GetTables(ctx, req)
		},
		func(r *tcli.TGetTablesResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetTableTypes implements tcli.TCLIService.
func (h *handler) GetTableTypes(ctx context.Context, req *tcli.TGetTableTypesReq) (*tcli.TGetTableTypesResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetTableTypesResp { return &tcli.TGetTableTypesResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetTableTypesResp, error) {
			return c.GetTableTypes(ctx, req)
		},
		func(r *tcli.TGetTableTypesResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetColumns implements tcli.TCLIService.
func (h *handler) GetColumns(ctx context.Context, req *tcli.TGetColumnsReq) (*tcli.TGetColumnsResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetColumnsResp { return &tcli.TGetColumnsResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetColumnsResp, error) {
			return c.GetColumns(ctx, req)
		},
		func(r *tcli.TGetColumnsResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetFunctions implements tcli.TCLIService.
func (h *handler) GetFunctions(ctx context.Context, req *tcli.TGetFunctionsReq) (*tcli.TGetFunctionsResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetFunctionsResp { return &tcli.TGetFunctionsResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetFunctionsResp, error) {
			return c.GetFunctions(ctx, req)
		},
		func(r *tcli.TGetFunctionsResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetPrimaryKeys implements tcli.TCLIService.
func (h *handler) GetPrimaryKeys(ctx context.Context, req *tcli.TGetPrimaryKeysReq) (*tcli.TGetPrimaryKeysResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetPrimaryKeysResp { return &tcli.TGetPrimaryKeysResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetPrimaryKeysResp, error) {
			return c.GetPrimaryKeys(ctx, req)
		},
		func(r *tcli.TGetPrimaryKeysResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}

// GetCrossReference implements tcli.TCLIService.
func (h *handler) GetCrossReference(ctx context.Context, req *tcli.TGetCrossReferenceReq) (*tcli.TGetCrossReferenceResp, error) {
	return viaSession(h, ctx, req.SessionHandle, func(st *tcli.TStatus) *tcli.TGetCrossReferenceResp { return &tcli.TGetCrossReferenceResp{Status: st} },
		func(ctx context.Context, c *client.Client) (*tcli.TGetCrossReferenceResp, error) {
			return c.GetCrossReference(ctx, req)
		},
		func(r *tcli.TGetCrossReferenceResp) *tcli.TOperationHandle {
			return openOperation(r.OperationHandle, r.DirectResults)
		})
}
