package duckdb

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/conf"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// A detached (HTTP) session that nothing touches for a grace (at most a
// minute) past the session idle timeout is closed by its engine, open operations and all, so
// that an engine whose gateway died can become idle and stop.
func TestAbandonedDetachedSessionsClose(t *testing.T) {
	s, err := Open(Config{ID: "idle", SessionIdleTimeout: time.Minute}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u := "ivy"
	open := func(detached bool) *tcli.TSessionHandle {
		cf := map[string]string{}
		if detached {
			cf[conf.KeySessionDetached] = "true"
		}
		r, _ := s.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, Username: &u, Configuration: cf})
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatal(r.Status.GetErrorMessage())
		}
		// An operation left open, as a client that went away mid-fetch leaves it.
		e, _ := s.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: "SELECT * FROM range(10)"})
		if e.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatal(e.Status.GetErrorMessage())
		}
		return r.SessionHandle
	}
	detached, attached := open(true), open(false)
	alive := func(h *tcli.TSessionHandle) bool {
		r, _ := s.GetInfo(context.Background(), &tcli.TGetInfoReq{SessionHandle: h, InfoType: tcli.TGetInfoType_CLI_DBMS_NAME})
		return r.Status.StatusCode == tcli.TStatusCode_SUCCESS_STATUS
	}
	s.closeIdle(time.Now().Add(90 * time.Second))
	if !alive(detached) {
		t.Fatal("a detached session was closed within its grace past the session idle timeout")
	}
	s.closeIdle(time.Now().Add(3 * time.Minute))
	if alive(detached) {
		t.Error("an abandoned detached session stayed open past the session idle timeout and its grace")
	}
	if !alive(attached) {
		t.Error("a session bound to its gateway's connection was closed by the idle reaper")
	}
}
