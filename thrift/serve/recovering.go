package serve

import (
	"context"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Recovering wraps a TCLIService so that a panic in one call is logged and
// answered with ERROR_STATUS instead of taking the process down (the
// generated Thrift server does not recover panics).
func Recovering(next tcliservice.TCLIService, lg *zap.Logger) tcliservice.TCLIService {
	return &recovering{next: next, lg: lg}
}

type recovering struct {
	next tcliservice.TCLIService
	lg   *zap.Logger
}

var _ tcliservice.TCLIService = (*recovering)(nil)

// guard runs call and turns a panic into a response built by onPanic.
func guard[R any](lg *zap.Logger, method string, onPanic func(*tcliservice.TStatus) R, call func() (R, error)) (r R, err error) {
	defer func() {
		if p := recover(); p != nil {
			lg.Error("panic in thrift call", zap.String("method", method), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			r, err = onPanic(status.From(status.Errorf(status.StateGeneral, 0, "internal error in %s: %v", method, p))), nil
		}
	}()
	return call()
}

// OpenSession implements tcliservice.TCLIService.
func (s *recovering) OpenSession(ctx context.Context, req *tcliservice.TOpenSessionReq) (*tcliservice.TOpenSessionResp, error) {
	return guard(s.lg, "OpenSession", func(st *tcliservice.TStatus) *tcliservice.TOpenSessionResp {
		r := tcliservice.NewTOpenSessionResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TOpenSessionResp, error) { return s.next.OpenSession(ctx, req) })
}

// CloseSession implements tcliservice.TCLIService.
func (s *recovering) CloseSession(ctx context.Context, req *tcliservice.TCloseSessionReq) (*tcliservice.TCloseSessionResp, error) {
	return guard(s.lg, "CloseSession", func(st *tcliservice.TStatus) *tcliservice.TCloseSessionResp {
		r := tcliservice.NewTCloseSessionResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TCloseSessionResp, error) { return s.next.CloseSession(ctx, req) })
}

// GetInfo implements tcliservice.TCLIService.
func (s *recovering) GetInfo(ctx context.Context, req *tcliservice.TGetInfoReq) (*tcliservice.TGetInfoResp, error) {
	return guard(s.lg, "GetInfo", func(st *tcliservice.TStatus) *tcliservice.TGetInfoResp {
		return &tcliservice.TGetInfoResp{Status: st, InfoValue: status.EmptyInfo()}
	}, func() (*tcliservice.TGetInfoResp, error) { return s.next.GetInfo(ctx, req) })
}

// ExecuteStatement implements tcliservice.TCLIService.
func (s *recovering) ExecuteStatement(ctx context.Context, req *tcliservice.TExecuteStatementReq) (*tcliservice.TExecuteStatementResp, error) {
	return guard(s.lg, "ExecuteStatement", func(st *tcliservice.TStatus) *tcliservice.TExecuteStatementResp {
		r := tcliservice.NewTExecuteStatementResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TExecuteStatementResp, error) { return s.next.ExecuteStatement(ctx, req) })
}

// GetTypeInfo implements tcliservice.TCLIService.
func (s *recovering) GetTypeInfo(ctx context.Context, req *tcliservice.TGetTypeInfoReq) (*tcliservice.TGetTypeInfoResp, error) {
	return guard(s.lg, "GetTypeInfo", func(st *tcliservice.TStatus) *tcliservice.TGetTypeInfoResp {
		r := tcliservice.NewTGetTypeInfoResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetTypeInfoResp, error) { return s.next.GetTypeInfo(ctx, req) })
}

// GetCatalogs implements tcliservice.TCLIService.
func (s *recovering) GetCatalogs(ctx context.Context, req *tcliservice.TGetCatalogsReq) (*tcliservice.TGetCatalogsResp, error) {
	return guard(s.lg, "GetCatalogs", func(st *tcliservice.TStatus) *tcliservice.TGetCatalogsResp {
		r := tcliservice.NewTGetCatalogsResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetCatalogsResp, error) { return s.next.GetCatalogs(ctx, req) })
}

// GetSchemas implements tcliservice.TCLIService.
func (s *recovering) GetSchemas(ctx context.Context, req *tcliservice.TGetSchemasReq) (*tcliservice.TGetSchemasResp, error) {
	return guard(s.lg, "GetSchemas", func(st *tcliservice.TStatus) *tcliservice.TGetSchemasResp {
		r := tcliservice.NewTGetSchemasResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetSchemasResp, error) { return s.next.GetSchemas(ctx, req) })
}

// GetTables implements tcliservice.TCLIService.
func (s *recovering) GetTables(ctx context.Context, req *tcliservice.TGetTablesReq) (*tcliservice.TGetTablesResp, error) {
	return guard(s.lg, "GetTables", func(st *tcliservice.TStatus) *tcliservice.TGetTablesResp {
		r := tcliservice.NewTGetTablesResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetTablesResp, error) { return s.next.GetTables(ctx, req) })
}

// GetTableTypes implements tcliservice.TCLIService.
func (s *recovering) GetTableTypes(ctx context.Context, req *tcliservice.TGetTableTypesReq) (*tcliservice.TGetTableTypesResp, error) {
	return guard(s.lg, "GetTableTypes", func(st *tcliservice.TStatus) *tcliservice.TGetTableTypesResp {
		r := tcliservice.NewTGetTableTypesResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetTableTypesResp, error) { return s.next.GetTableTypes(ctx, req) })
}

// GetColumns implements tcliservice.TCLIService.
func (s *recovering) GetColumns(ctx context.Context, req *tcliservice.TGetColumnsReq) (*tcliservice.TGetColumnsResp, error) {
	return guard(s.lg, "GetColumns", func(st *tcliservice.TStatus) *tcliservice.TGetColumnsResp {
		r := tcliservice.NewTGetColumnsResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetColumnsResp, error) { return s.next.GetColumns(ctx, req) })
}

// GetFunctions implements tcliservice.TCLIService.
func (s *recovering) GetFunctions(ctx context.Context, req *tcliservice.TGetFunctionsReq) (*tcliservice.TGetFunctionsResp, error) {
	return guard(s.lg, "GetFunctions", func(st *tcliservice.TStatus) *tcliservice.TGetFunctionsResp {
		r := tcliservice.NewTGetFunctionsResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetFunctionsResp, error) { return s.next.GetFunctions(ctx, req) })
}

// GetPrimaryKeys implements tcliservice.TCLIService.
func (s *recovering) GetPrimaryKeys(ctx context.Context, req *tcliservice.TGetPrimaryKeysReq) (*tcliservice.TGetPrimaryKeysResp, error) {
	return guard(s.lg, "GetPrimaryKeys", func(st *tcliservice.TStatus) *tcliservice.TGetPrimaryKeysResp {
		r := tcliservice.NewTGetPrimaryKeysResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetPrimaryKeysResp, error) { return s.next.GetPrimaryKeys(ctx, req) })
}

// GetCrossReference implements tcliservice.TCLIService.
func (s *recovering) GetCrossReference(ctx context.Context, req *tcliservice.TGetCrossReferenceReq) (*tcliservice.TGetCrossReferenceResp, error) {
	return guard(s.lg, "GetCrossReference", func(st *tcliservice.TStatus) *tcliservice.TGetCrossReferenceResp {
		r := tcliservice.NewTGetCrossReferenceResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetCrossReferenceResp, error) { return s.next.GetCrossReference(ctx, req) })
}

// GetOperationStatus implements tcliservice.TCLIService.
func (s *recovering) GetOperationStatus(ctx context.Context, req *tcliservice.TGetOperationStatusReq) (*tcliservice.TGetOperationStatusResp, error) {
	return guard(s.lg, "GetOperationStatus", func(st *tcliservice.TStatus) *tcliservice.TGetOperationStatusResp {
		r := tcliservice.NewTGetOperationStatusResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetOperationStatusResp, error) { return s.next.GetOperationStatus(ctx, req) })
}

// CancelOperation implements tcliservice.TCLIService.
func (s *recovering) CancelOperation(ctx context.Context, req *tcliservice.TCancelOperationReq) (*tcliservice.TCancelOperationResp, error) {
	return guard(s.lg, "CancelOperation", func(st *tcliservice.TStatus) *tcliservice.TCancelOperationResp {
		r := tcliservice.NewTCancelOperationResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TCancelOperationResp, error) { return s.next.CancelOperation(ctx, req) })
}

// CloseOperation implements tcliservice.TCLIService.
func (s *recovering) CloseOperation(ctx context.Context, req *tcliservice.TCloseOperationReq) (*tcliservice.TCloseOperationResp, error) {
	return guard(s.lg, "CloseOperation", func(st *tcliservice.TStatus) *tcliservice.TCloseOperationResp {
		r := tcliservice.NewTCloseOperationResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TCloseOperationResp, error) { return s.next.CloseOperation(ctx, req) })
}

// GetResultSetMetadata implements tcliservice.TCLIService.
func (s *recovering) GetResultSetMetadata(ctx context.Context, req *tcliservice.TGetResultSetMetadataReq) (*tcliservice.TGetResultSetMetadataResp, error) {
	return guard(s.lg, "GetResultSetMetadata", func(st *tcliservice.TStatus) *tcliservice.TGetResultSetMetadataResp {
		r := tcliservice.NewTGetResultSetMetadataResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetResultSetMetadataResp, error) { return s.next.GetResultSetMetadata(ctx, req) })
}

// FetchResults implements tcliservice.TCLIService.
func (s *recovering) FetchResults(ctx context.Context, req *tcliservice.TFetchResultsReq) (*tcliservice.TFetchResultsResp, error) {
	return guard(s.lg, "FetchResults", func(st *tcliservice.TStatus) *tcliservice.TFetchResultsResp {
		r := tcliservice.NewTFetchResultsResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TFetchResultsResp, error) { return s.next.FetchResults(ctx, req) })
}

// GetDelegationToken implements tcliservice.TCLIService.
func (s *recovering) GetDelegationToken(ctx context.Context, req *tcliservice.TGetDelegationTokenReq) (*tcliservice.TGetDelegationTokenResp, error) {
	return guard(s.lg, "GetDelegationToken", func(st *tcliservice.TStatus) *tcliservice.TGetDelegationTokenResp {
		r := tcliservice.NewTGetDelegationTokenResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TGetDelegationTokenResp, error) { return s.next.GetDelegationToken(ctx, req) })
}

// CancelDelegationToken implements tcliservice.TCLIService.
func (s *recovering) CancelDelegationToken(ctx context.Context, req *tcliservice.TCancelDelegationTokenReq) (*tcliservice.TCancelDelegationTokenResp, error) {
	return guard(s.lg, "CancelDelegationToken", func(st *tcliservice.TStatus) *tcliservice.TCancelDelegationTokenResp {
		r := tcliservice.NewTCancelDelegationTokenResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TCancelDelegationTokenResp, error) { return s.next.CancelDelegationToken(ctx, req) })
}

// RenewDelegationToken implements tcliservice.TCLIService.
func (s *recovering) RenewDelegationToken(ctx context.Context, req *tcliservice.TRenewDelegationTokenReq) (*tcliservice.TRenewDelegationTokenResp, error) {
	return guard(s.lg, "RenewDelegationToken", func(st *tcliservice.TStatus) *tcliservice.TRenewDelegationTokenResp {
		r := tcliservice.NewTRenewDelegationTokenResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TRenewDelegationTokenResp, error) { return s.next.RenewDelegationToken(ctx, req) })
}

// GetQueryId implements tcliservice.TCLIService.
func (s *recovering) GetQueryId(ctx context.Context, req *tcliservice.TGetQueryIdReq) (*tcliservice.TGetQueryIdResp, error) {
	return guard(s.lg, "GetQueryId", func(*tcliservice.TStatus) *tcliservice.TGetQueryIdResp { return tcliservice.NewTGetQueryIdResp() }, func() (*tcliservice.TGetQueryIdResp, error) { return s.next.GetQueryId(ctx, req) })
}

// SetClientInfo implements tcliservice.TCLIService.
func (s *recovering) SetClientInfo(ctx context.Context, req *tcliservice.TSetClientInfoReq) (*tcliservice.TSetClientInfoResp, error) {
	return guard(s.lg, "SetClientInfo", func(st *tcliservice.TStatus) *tcliservice.TSetClientInfoResp {
		r := tcliservice.NewTSetClientInfoResp()
		r.Status = st
		return r
	}, func() (*tcliservice.TSetClientInfoResp, error) { return s.next.SetClientInfo(ctx, req) })
}
