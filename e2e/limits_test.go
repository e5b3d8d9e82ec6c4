//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

func refusedWith(t *testing.T, resp *tcli.TOpenSessionResp, want string) {
	t.Helper()
	if resp.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(resp.Status.GetErrorMessage(), want) {
		t.Errorf("got %v %q, want an error containing %q", resp.Status.StatusCode, resp.Status.GetErrorMessage(), want)
	}
}

// refusedWithCode checks the refusal's code (TStatus.errorCode, JDBC's
// getErrorCode()), which clients match instead of the message.
func refusedWithCode(t *testing.T, resp *tcli.TOpenSessionResp, code int32) {
	t.Helper()
	if resp.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || resp.Status.GetErrorCode() != code {
		t.Errorf("got %v code %d (%q), want an error with code %d", resp.Status.StatusCode, resp.Status.GetErrorCode(), resp.Status.GetErrorMessage(), code)
	}
}

func TestConnectionLimits(t *testing.T) {
	g := startGateway(t, "kitsune.server.limit.connections.per.user=2", "kitsune.server.limit.connections.per.ipaddress=4",
		"kitsune.server.limit.connections.user.unlimited.list=admin", "kitsune.server.limit.connections.user.deny.list=mallory")
	c, r1 := g.openWith(t, "olga", nil)
	_, r2 := g.openWith(t, "olga", nil)
	if r1.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || r2.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("first two sessions: %v %v", r1.Status, r2.Status)
	}
	_, r3 := g.openWith(t, "olga", nil)
	refusedWith(t, r3, "user olga has 2 open, the limit is 2 (kitsune.server.limit.connections.per.user)")
	refusedWithCode(t, r3, status.CodeLimitConnections)
	// Closing one makes room again.
	c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: r1.SessionHandle})
	if _, r := g.openWith(t, "olga", nil); r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("after closing one: %v", r.Status)
	}
	_, r4 := g.openWith(t, "mallory", nil)
	refusedWith(t, r4, "user mallory is denied (kitsune.server.limit.connections.user.deny.list)")
	refusedWithCode(t, r4, status.CodeDeniedUser)
	// admin is unlimited per user, but the address limit (4) still counts the others.
	for i := 0; i < 2; i++ {
		if _, r := g.openWith(t, "admin", nil); r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("admin session %d: %v", i, r.Status)
		}
	}
	_, r5 := g.openWith(t, "pat", nil)
	refusedWith(t, r5, "client address 127.0.0.1 has 4 open, the limit is 4 (kitsune.server.limit.connections.per.ipaddress)")
	refusedWithCode(t, r5, status.CodeLimitConnections)
}

func TestImpersonation(t *testing.T) {
	g := startGateway(t, "kitsune.server.proxyuser.svc.users=quinn", "kitsune.server.proxyuser.svc.groups=sales",
		"kitsune.server.proxyuser.svc.hosts=127.0.0.0/8", "kitsune.server.proxyuser.far.users=*", "kitsune.server.proxyuser.far.hosts=10.1.2.3",
		"kitsune.session.group.mapping="+writeFile(t, "rita=sales\nsam=ops\n"))
	for _, tc := range []struct {
		real, proxy, want string
	}{
		{"svc", "quinn", "quinn"},
		{"svc", "rita", "rita"}, // by group
	} {
		conn, err := g.gohiveConf(t, tc.real, map[string]string{"hive.server2.proxy.user": tc.proxy})
		if err != nil {
			t.Fatal(err)
		}
		if u := one(t, conn, "SELECT current_user() AS u"); u != tc.want {
			t.Errorf("%s as %s: current_user() = %s", tc.real, tc.proxy, u)
		}
	}
	_, r := g.openWith(t, "svc", map[string]string{"hive.server2.proxy.user": "sam"})
	refusedWith(t, r, "svc may not run sessions as sam (kitsune.server.proxyuser.svc.users / kitsune.server.proxyuser.svc.groups)")
	refusedWithCode(t, r, status.CodeImpersonation)
	_, r = g.openWith(t, "far", map[string]string{"kitsune.session.proxy.user": "quinn"})
	refusedWith(t, r, "far may not impersonate from 127.0.0.1 (kitsune.server.proxyuser.far.hosts)")
	_, r = g.openWith(t, "nobody", map[string]string{"hive.server2.proxy.user": "quinn"})
	refusedWith(t, r, "nobody may not run sessions as quinn")
}

func TestLocalQueues(t *testing.T) {
	g := startGateway(t, "kitsune.engine.local.queues=small:cores=1,memory=512m;default:cores=4,memory=4g",
		"kitsune.engine.queue.wait.timeout=PT2S")
	small := map[string]string{"kitsune.engine.queue": "small", "kitsune.engine.cores": "1", "kitsune.engine.memory": "512m",
		"kitsune.engine.share.level": "CONNECTION"}
	c, first := g.openWith(t, "tina", small)
	if first.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("first session in queue small: %v", first.Status)
	}
	// The queue is full: a second launch waits, then fails naming the queue.
	start := time.Now()
	_, r := g.openWith(t, "uma", small)
	refusedWith(t, r, "queue small is full: capacity cores=1,memory=512m, in use cores=1,memory=512m by CONNECTION_DUCKDB/tina/")
	if !strings.Contains(r.Status.GetErrorMessage(), "kitsune.engine.queue.wait.timeout") || time.Since(start) < 2*time.Second {
		t.Errorf("did not wait for the queue: %s after %s", r.Status.GetErrorMessage(), time.Since(start))
	}
	// A waiting launch proceeds once the queue has room.
	done := make(chan *tcli.TOpenSessionResp, 1)
	go func() {
		_, r := g.openWith(t, "uma", small)
		done <- r
	}()
	time.Sleep(300 * time.Millisecond)
	c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: first.SessionHandle})
	select {
	case r := <-done:
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Errorf("waiting launch after room was made: %v", r.Status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("waiting launch never proceeded")
	}
	_, r = g.openWith(t, "vic", map[string]string{"kitsune.engine.queue": "gpu"})
	refusedWith(t, r, `queue "gpu" is not declared in kitsune.engine.local.queues (declared: default, small)`)
	_, r = g.openWith(t, "vic", map[string]string{"kitsune.engine.queue": "small", "kitsune.engine.memory": "1g"})
	refusedWith(t, r, "queue small can never fit cores=1,memory=1g")
}

func TestEngineLaunchTimeout(t *testing.T) {
	g := startGateway(t, "kitsune.session.engine.initialize.timeout=1ms")
	_, r := g.openWith(t, "wes", nil)
	refusedWith(t, r, "engine for USER_DUCKDB/wes/default did not start within 1ms (kitsune.session.engine.initialize.timeout); last lines of ")
	testenv.Eventually(t, 10*time.Second, func() error {
		if pids := enginePIDs(g.workDir); len(pids) != 0 {
			return fmt.Errorf("timed-out engine still running: %v", pids)
		}
		return nil
	})
}

// TestRefusalsReachGohive: gohive ignores OpenSession's status, so the
// refusal must surface on its first call, readably.
func TestRefusalsReachGohive(t *testing.T) {
	g := startGateway(t, "kitsune.session.conf.restrict.list=spark.driver.memory", "kitsune.engine.max.cores=2")
	for confs, want := range map[string]map[string]string{
		"spark.driver.memory is restricted by the administrator (kitsune.session.conf.restrict.list)": {"spark.driver.memory": "1g"},
		"the maximum for xena is 2, set by kitsune.engine.max.cores (server)":                         {"kitsune.engine.cores": "8"},
	} {
		conn, err := g.gohiveConf(t, "xena", want)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = tryQuery(conn, "SELECT 1")
		if err == nil || !strings.Contains(err.Error(), confs) {
			t.Errorf("gohive with %v: %v, want %q", want, err, confs)
		}
	}
	// An ordinary error reads well in gohive too.
	conn := g.gohive(t, "xena", "NONE", false)
	cur := conn.Cursor()
	cur.Exec(context.Background(), "SELECT * FROM missing_table")
	if cur.Err == nil || !strings.Contains(cur.Err.Error(), "missing_table") {
		t.Errorf("gohive error: %v", cur.Err)
	}
}

// A gateway's session maximum and the open-operation limits refuse with a
// message naming the key (SQLSTATE 08004); closing makes room again.
func TestSessionAndOperationLimits(t *testing.T) {
	g := startGateway(t, "kitsune.server.limit.sessions=2", "kitsune.server.limit.operations.per.session=1",
		"kitsune.server.limit.operations.per.user=2")
	c1, r1 := g.openWith(t, "vic", nil)
	_, r2 := g.openWith(t, "wyn", nil)
	if r1.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS || r2.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("first two sessions: %v %v", r1.Status, r2.Status)
	}
	_, r3 := g.openWith(t, "xia", nil)
	refusedWith(t, r3, "(kitsune.server.limit.sessions)")
	if r3.Status.GetSqlState() != "08004" {
		t.Errorf("session maximum: SQLSTATE %s", r3.Status.GetSqlState())
	}
	ctx := context.Background()
	exec := func(q string) *tcli.TExecuteStatementResp {
		r, err := c1.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: r1.SessionHandle, Statement: q})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := exec("SELECT 1")
	if first.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("first operation: %v", first.Status)
	}
	second := exec("SELECT 2")
	if second.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(second.Status.GetErrorMessage(), "kitsune.server.limit.operations.per.session") {
		t.Errorf("second open operation: %v", second.Status)
	}
	if _, err := c1.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: first.OperationHandle}); err != nil {
		t.Fatal(err)
	}
	if third := exec("SELECT 3"); third.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("after closing: %v", third.Status)
	}
	// Closing a session makes room for another.
	if _, err := c1.CloseSession(ctx, &tcli.TCloseSessionReq{SessionHandle: r1.SessionHandle}); err != nil {
		t.Fatal(err)
	}
	if _, r := g.openWith(t, "xia", nil); r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("after a session closed: %v", r.Status)
	}
}

// An engine launched by a gateway with kitsune.operation.result.max.bytes
// refuses a larger result (SQLSTATE 54000, naming the key) and serves the
// same session afterwards.
func TestResultByteLimit(t *testing.T) {
	g := startGateway(t, "kitsune.operation.result.max.bytes=1m")
	c, r := g.openWith(t, "yves", nil)
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("open: %v", r.Status)
	}
	ctx := context.Background()
	big, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: "SELECT repeat('x', 1000) AS s FROM range(5000)"})
	if err != nil {
		t.Fatal(err)
	}
	if big.Status.GetSqlState() != "54000" || !strings.Contains(big.Status.GetErrorMessage(), "kitsune.operation.result.max.bytes") {
		t.Errorf("5 MB result under a 1 MiB limit: %v %q %q", big.Status.StatusCode, big.Status.GetSqlState(), big.Status.GetErrorMessage())
	}
	small, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: r.SessionHandle, Statement: "SELECT count(*) FROM range(5000)"})
	if err != nil || small.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("the session after the refusal: %v %v", small, err)
	}
}
