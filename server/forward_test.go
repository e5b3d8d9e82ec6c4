package server

import (
	"context"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/metrics"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/session/sessiontest"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/inproc"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// gatewayTwin is the gateway's handler over in-process engines, reached
// through its processor (the raw routes) as a client reaches it.
func gatewayTwin(t *testing.T, settings map[string]string) (*handler, *sessiontest.Dialer) {
	t.Helper()
	cfg, err := conf.FromMap(settings)
	if err != nil {
		t.Fatal(err)
	}
	lg := zaptest.NewLogger(t)
	dialer := sessiontest.NewDialer()
	mgr := session.NewManager(session.Config{Dialer: dialer}, sessiontest.NewPool(), lg)
	res := tenancy.NewResolver(tenancy.Config{Settings: cfg, EngineType: cfg.EngineType, ServerUser: "kitsune"}, tenancy.NewPoolChooser(), func() string { return "c1" })
	return &handler{cfg: cfg, tenancy: res, routes: routes(), mgr: mgr, groups: auth.OSGroups(), proxy: auth.NewProxyRules(nil), obs: &observer{m: metrics.New(), audit: lg}, lg: lg}, dialer
}

func as(user string) context.Context {
	return serve.WithPeer(context.Background(), serve.Peer{User: user, Addr: "127.0.0.1:4000", ConnID: 1})
}

func openAs(t *testing.T, c *inproc.Conn, user string) *tcli.TSessionHandle {
	t.Helper()
	r, err := c.OpenSession(as(user), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
	if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("open as %s: %+v %v", user, r, err)
	}
	return r.SessionHandle
}

func TestForwardingTable(t *testing.T) {
	h, dialer := gatewayTwin(t, nil)
	c := inproc.Dial(h)
	alice := as("alice")
	sh := openAs(t, c, "alice")
	ex, err := c.ExecuteStatement(alice, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 42"})
	if err != nil || ex.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || !ex.OperationHandle.HasResultSet {
		t.Fatalf("execute: %+v %v", ex, err)
	}
	st, _ := c.GetOperationStatus(alice, &tcli.TGetOperationStatusReq{OperationHandle: ex.OperationHandle})
	if st.GetOperationState() != tcli.TOperationState_FINISHED_STATE {
		t.Errorf("status %+v", st)
	}
	md, _ := c.GetResultSetMetadata(alice, &tcli.TGetResultSetMetadataReq{OperationHandle: ex.OperationHandle})
	if len(md.GetSchema().GetColumns()) != 1 || md.Schema.Columns[0].ColumnName != "statement" {
		t.Errorf("metadata %+v", md)
	}
	fr, _ := c.FetchResults(alice, &tcli.TFetchResultsReq{OperationHandle: ex.OperationHandle, MaxRows: 100})
	if v := fr.GetResults().GetColumns()[0].StringVal.Values; len(v) != 1 || v[0] != "SELECT 42" {
		t.Errorf("rows %v", v)
	}
	// Only the owner may use a handle, as HiveServer2 refuses a handle it does not know.
	openAs(t, c, "bob")
	if r, _ := c.FetchResults(as("bob"), &tcli.TFetchResultsReq{OperationHandle: ex.OperationHandle, MaxRows: 1}); r.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
		t.Errorf("bob fetched alice's operation: %+v", r.Status)
	}
	if r, _ := c.ExecuteStatement(as("bob"), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 1"}); r.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
		t.Errorf("bob used alice's session: %+v", r.Status)
	}
	// The engine's own error passes unchanged.
	if r, _ := c.ExecuteStatement(alice, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "FAIL here"}); r.Status.GetSqlState() != "42000" ||
		r.Status.GetErrorMessage() != "refused: FAIL here" {
		t.Errorf("engine error: %+v", r.Status)
	}
	// A metadata call's operation is routed like a statement's.
	tb, _ := c.GetTables(alice, &tcli.TGetTablesReq{SessionHandle: sh})
	if r, _ := c.FetchResults(alice, &tcli.TFetchResultsReq{OperationHandle: tb.OperationHandle, MaxRows: 10}); !status.Succeeded(r.Status) {
		t.Errorf("fetch of a metadata operation: %+v", r.Status)
	}
	// Closing forgets the handle: the gateway answers INVALID_HANDLE itself.
	if r, _ := c.CloseOperation(alice, &tcli.TCloseOperationReq{OperationHandle: ex.OperationHandle}); !status.Succeeded(r.Status) {
		t.Fatalf("close: %+v", r.Status)
	}
	engine := dialer.Engine("addr-alice-a")
	before := engine.Calls("GetOperationStatus")
	if r, _ := c.GetOperationStatus(alice, &tcli.TGetOperationStatusReq{OperationHandle: ex.OperationHandle}); r.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS {
		t.Errorf("status after close: %+v", r.Status)
	}
	if engine.Calls("GetOperationStatus") != before {
		t.Error("a closed handle was forwarded to the engine")
	}
}

func TestGetInfoAndTypedCalls(t *testing.T) {
	h, _ := gatewayTwin(t, nil)
	c := inproc.Dial(h)
	sh := openAs(t, c, "cora")
	name, _ := c.GetInfo(as("cora"), &tcli.TGetInfoReq{SessionHandle: sh, InfoType: tcli.TGetInfoType_CLI_SERVER_NAME})
	dbms, _ := c.GetInfo(as("cora"), &tcli.TGetInfoReq{SessionHandle: sh, InfoType: tcli.TGetInfoType_CLI_DBMS_NAME})
	if name.InfoValue.GetStringValue() != "kitsune" || dbms.InfoValue.GetStringValue() != "inproc" {
		t.Errorf("server name %q (gateway's), dbms %q (engine's)", name.InfoValue.GetStringValue(), dbms.InfoValue.GetStringValue())
	}
	// The typed methods take the same route.
	ex, err := h.ExecuteStatement(as("cora"), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SELECT 'typed'"})
	if err != nil || !status.Succeeded(ex.Status) {
		t.Fatalf("typed execute: %+v %v", ex, err)
	}
	fr, err := h.FetchResults(as("cora"), &tcli.TFetchResultsReq{OperationHandle: ex.OperationHandle, MaxRows: 10})
	if err != nil || fr.GetResults().GetColumns()[0].StringVal.Values[0] != "SELECT 'typed'" {
		t.Errorf("typed fetch: %+v %v", fr, err)
	}
	if r, _ := h.GetInfo(as("cora"), &tcli.TGetInfoReq{SessionHandle: &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: []byte("x"), Secret: []byte("y")}}}); r.Status.StatusCode != tcli.TStatusCode_INVALID_HANDLE_STATUS || r.InfoValue == nil {
		t.Errorf("GetInfo on an unknown session: %+v", r)
	}
}

func TestDrainingAndRefusalCodes(t *testing.T) {
	h, _ := gatewayTwin(t, map[string]string{"kitsune.session.conf.restrict.list": "kitsune.engine.queue"})
	c := inproc.Dial(h)
	r, _ := c.OpenSession(as("dan"), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10,
		Configuration: map[string]string{"kitsune.engine.queue": "prod"}})
	if r.Status.GetErrorCode() != status.CodeConfRestricted || r.Status.GetSqlState() != "42000" {
		t.Errorf("restricted conf: %+v", r.Status)
	}
	// A client that ignores the refusal (gohive) hears it again on its next call.
	ex, _ := c.ExecuteStatement(as("dan"), &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: "SELECT 1"})
	if ex.Status.GetErrorCode() != status.CodeConfRestricted {
		t.Errorf("call on a refused session: %+v", ex.Status)
	}
	h.draining.Store(true)
	r, _ = c.OpenSession(as("dan"), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
	if r.Status.GetErrorCode() != status.CodeGatewayDraining {
		t.Errorf("draining: %+v", r.Status)
	}
}
