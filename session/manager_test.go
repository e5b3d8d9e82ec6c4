package session_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/session/sessiontest"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/session/store/memstore"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

func key(user string) tenancy.Key {
	return tenancy.Key{Type: "DUCKDB", ShareLevel: "USER", User: user, Subdomain: "default"}
}

func newManager(t *testing.T, cfg session.Config) (*session.Manager, *sessiontest.Pool, *sessiontest.Dialer) {
	t.Helper()
	pool, dialer := sessiontest.NewPool(), sessiontest.NewDialer()
	cfg.Dialer = dialer
	return session.NewManager(cfg, pool, zaptest.NewLogger(t)), pool, dialer
}

func open(t *testing.T, m *session.Manager, user string, connID uint64) *session.Session {
	t.Helper()
	s, _, err := m.Open(context.Background(), session.OpenRequest{User: user, Addr: "127.0.0.1:5000", ConnID: connID, Key: key(user),
		Protocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func codeOf(err error) int32 {
	var se *status.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return -1
}

func TestOpenGetOwnerClose(t *testing.T) {
	ctx := context.Background()
	m, pool, dialer := newManager(t, session.Config{})
	s := open(t, m, "alice", 1)
	if got, err := m.Get(ctx, s.Handle, "alice"); err != nil || got != s {
		t.Fatalf("owner's Get: %v %v", got, err)
	}
	if _, err := m.Get(ctx, s.Handle, "bob"); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("another user's Get: %v, want session.ErrNoSession", err)
	}
	if e := dialer.Engine(s.Engine.Addr); e.Sessions() != 1 {
		t.Fatalf("engine sessions %d", e.Sessions())
	}
	if err := m.Close(ctx, s); err != nil {
		t.Fatal(err)
	}
	if e := dialer.Engine(s.Engine.Addr); e.Sessions() != 0 || e.Calls("CloseSession") != 1 {
		t.Errorf("engine sessions after close %d", e.Sessions())
	}
	if _, err := m.Get(ctx, s.Handle, "alice"); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("Get after close: %v", err)
	}
	if pool.Released != 1 || m.Count() != 0 {
		t.Errorf("released %d, count %d", pool.Released, m.Count())
	}
}

func TestLimitsRefuseWithCodes(t *testing.T) {
	m, _, _ := newManager(t, session.Config{Limits: session.Limits{Sessions: 1, OpsPerSession: 1, DenyUsers: []string{"mallory"}}})
	s := open(t, m, "alice", 1)
	_, _, err := m.Open(context.Background(), session.OpenRequest{User: "bob", Key: key("bob")})
	if codeOf(err) != status.CodeLimitSessions {
		t.Errorf("second session: %v, want code %d", err, status.CodeLimitSessions)
	}
	if err := m.AllowOperation(s); err != nil {
		t.Fatal(err)
	}
	m.AddOperation(context.Background(), s, &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: []byte("op-1"), Secret: []byte("s")}}, "", "")
	if err := m.AllowOperation(s); codeOf(err) != status.CodeLimitOpsSession {
		t.Errorf("second operation: %v", err)
	}
	_ = m.Close(context.Background(), s)
	if _, _, err := m.Open(context.Background(), session.OpenRequest{User: "mallory", Key: key("mallory")}); codeOf(err) != status.CodeDeniedUser {
		t.Errorf("denied user: %v", err)
	}
}

func TestDeadEngineIsReplacedOnce(t *testing.T) {
	m, pool, dialer := newManager(t, session.Config{})
	dialer.SetDown("addr-carl-a", true)
	s := open(t, m, "carl", 1)
	if s.Engine.ID != "carl-b" || len(pool.Invalidated) != 1 || pool.Invalidated[0] != "carl-a" {
		t.Errorf("engine %s, invalidated %v", s.Engine.ID, pool.Invalidated)
	}
	dialer.SetDown("addr-dora-a", true)
	dialer.SetDown("addr-dora-b", true)
	_, _, err := m.Open(context.Background(), session.OpenRequest{User: "dora", Key: key("dora")})
	if codeOf(err) != status.CodeEngineLost {
		t.Errorf("both engines dead: %v, want code %d", err, status.CodeEngineLost)
	}
	pool.Fail = errors.New("spark-submit exit status 1")
	if _, _, err := m.Open(context.Background(), session.OpenRequest{User: "eve", Key: key("eve")}); codeOf(err) != status.CodeNoEngine {
		t.Errorf("no engine: %v", err)
	}
}

func TestAdoptionFromASharedStore(t *testing.T) {
	ctx := context.Background()
	meta := memstore.New()
	a, _, dialer := newManager(t, session.Config{Store: meta, Shared: true, Secret: "secret", Gateway: "a:10010"})
	b := session.NewManager(session.Config{Store: meta, Shared: true, Secret: "secret", Gateway: "b:10010", Dialer: dialer}, sessiontest.NewPool(), zaptest.NewLogger(t))
	runManager(t, a)          // writes the operation records
	s := open(t, a, "fay", 0) // HTTP: no connection id
	oh := &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: []byte("op-fay-00000001"), Secret: []byte("s")}}
	a.AddOperation(ctx, s, oh, "", "")
	got, err := b.Get(ctx, s.Handle, "fay")
	if err != nil || got.Engine.Addr != s.Engine.Addr || got.Owner != "fay" {
		t.Fatalf("adopted %+v %v", got, err)
	}
	if _, err := b.ForOperation(ctx, oh, "fay"); err != nil {
		t.Errorf("operation on the other gateway: %v", err)
	}
	if _, err := b.ForOperation(ctx, oh, "gus"); !errors.Is(err, session.ErrNoOperation) {
		t.Errorf("another user's operation: %v", err)
	}
	// A binary session is never recorded for adoption.
	bin := open(t, a, "hal", 7)
	a.AddOperation(ctx, bin, &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: []byte("op-hal-00000001"), Secret: []byte("s")}}, "", "")
	if _, err := meta.GetOperation(ctx, "6f702d68616c2d3030303030303031"); err == nil {
		t.Error("a binary session's operation was written to the store")
	}
}

func TestStoreOutageIsNotInvalidHandle(t *testing.T) {
	meta := memstore.New()
	m, _, _ := newManager(t, session.Config{Store: meta, Shared: true, Secret: "secret"})
	s := open(t, m, "ida", 0)
	meta.SetDown(errors.New("connection refused"))
	unknown := &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: []byte("0123456789abcdef"), Secret: []byte("s")}}
	if _, err := m.Get(context.Background(), unknown, "ida"); codeOf(err) != status.CodeStoreUnavailable {
		t.Errorf("unknown handle during an outage: %v, want code %d", err, status.CodeStoreUnavailable)
	}
	if got, err := m.Get(context.Background(), s.Handle, "ida"); err != nil || got != s {
		t.Errorf("a running session stopped working during the outage: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Get(ctx, unknown, "ida"); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v, want context.Canceled", err)
	}
}

func TestIdleSessionsAreReapedAndConnectionsClosed(t *testing.T) {
	m, _, dialer := newManager(t, session.Config{IdleTimeout: 50 * time.Millisecond, CheckInterval: 10 * time.Millisecond})
	s1, s2 := open(t, m, "jo", 1), open(t, m, "kai", 2)
	m.ConnectionClosed(2)
	if _, err := m.Get(context.Background(), s2.Handle, "kai"); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("session of a closed connection: %v", err)
	}
	if _, err := m.Get(context.Background(), s1.Handle, "jo"); err != nil {
		t.Errorf("another connection's session was closed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	testenv.Eventually(t, 5*time.Second, func() error {
		if m.Count() != 0 {
			return errors.New("idle session still open")
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if e := dialer.Engine(s1.Engine.Addr); e.Sessions() != 0 {
		t.Errorf("the engine still has %d sessions", e.Sessions())
	}
}

// A user's sessions on one engine share its connections: one that only
// opens sessions, and the ones calls take turns on; a connection whose
// call failed is dropped and the sessions go on.
func TestSessionsShareEngineConnections(t *testing.T) {
	ctx := context.Background()
	m, _, dialer := newManager(t, session.Config{})
	var all []*session.Session
	for range 10 {
		all = append(all, open(t, m, "lee", 1))
	}
	if n := dialer.Dials(); n != 1 {
		t.Fatalf("10 sessions dialed %d connections, want 1", n)
	}
	for _, s := range all {
		if err := s.Call(ctx, func(c session.EngineConn) error {
			r, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: s.Handle, Statement: "SELECT 1"})
			if err == nil {
				err = status.AsError(r.Status)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := dialer.Dials(); n != 2 {
		t.Errorf("10 sequential statements dialed %d connections in all, want 2", n)
	}
	if err := all[0].Call(ctx, func(session.EngineConn) error { return errors.New("broken pipe") }); err == nil {
		t.Fatal("a failed call reported success")
	}
	if err := all[1].Call(ctx, func(session.EngineConn) error { return nil }); err != nil || dialer.Dials() != 3 {
		t.Errorf("after a dropped connection: %v, %d dials", err, dialer.Dials())
	}
	engine := dialer.Engine(all[0].Engine.Addr)
	for _, s := range all {
		_ = m.Close(ctx, s)
	}
	if engine.Sessions() != 0 {
		t.Errorf("%d engine sessions left", engine.Sessions())
	}
	// Another user gets connections of their own.
	open(t, m, "max", 2)
	if n := dialer.Dials(); n != 4 {
		t.Errorf("another user's session: %d dials, want 4", n)
	}
}

// runManager runs m until the test ends.
func runManager(t *testing.T, m *session.Manager) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// countingStore counts the writes that reach the store.
type countingStore struct {
	*memstore.Store
	mu            sync.Mutex
	puts, records int
	recordedPuts  int
}

func (c *countingStore) PutOperation(ctx context.Context, o store.Operation) error {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	return c.Store.PutOperation(ctx, o)
}

func (c *countingStore) RecordOperations(ctx context.Context, put []store.Operation, del []string) error {
	c.mu.Lock()
	c.records++
	c.recordedPuts += len(put)
	c.mu.Unlock()
	return c.Store.RecordOperations(ctx, put, del)
}

func (c *countingStore) counts() (int, int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts, c.records, c.recordedPuts
}

// With a shared store, operation records are written in batches off the
// statement path; one opened and closed within a batch is never written.
func TestOperationRecordsAreBatched(t *testing.T) {
	ctx := context.Background()
	meta := &countingStore{Store: memstore.New()}
	m, _, _ := newManager(t, session.Config{Store: meta, Shared: true, Secret: "secret"})
	runManager(t, m)
	s := open(t, m, "noa", 0)
	handle := func(i int) *tcli.TOperationHandle {
		return &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: []byte(fmt.Sprintf("op-noa-%08d", i)), Secret: []byte("s")}}
	}
	for i := range 50 {
		m.AddOperation(ctx, s, handle(i), "", "")
	}
	m.AddOperation(ctx, s, handle(99), "", "")
	m.RemoveOperation(ctx, s, handle(99)) // within the same batch
	testenv.Eventually(t, 5*time.Second, func() error {
		if _, err := meta.GetOperation(ctx, hex.EncodeToString([]byte(fmt.Sprintf("op-noa-%08d", 49)))); err != nil {
			return err
		}
		return nil
	})
	puts, records, recorded := meta.counts()
	if puts != 0 {
		t.Errorf("%d synchronous operation writes on the statement path", puts)
	}
	if records == 0 || records > 5 || recorded != 50 {
		t.Errorf("50 operations took %d writes holding %d records, want a few writes of 50", records, recorded)
	}
	if _, err := meta.GetOperation(ctx, hex.EncodeToString([]byte(fmt.Sprintf("op-noa-%08d", 99)))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an operation closed within its batch was written: %v", err)
	}
}

// A store no other gateway reads (the embedded one) gets no write on the
// session path: sessions, engines and operations are recorded only where
// another gateway could take them over.
func TestUnsharedStoreIsNotWritten(t *testing.T) {
	ctx := context.Background()
	meta := memstore.New()
	m, _, _ := newManager(t, session.Config{Store: meta, Shared: false, Secret: "secret"})
	runManager(t, m)
	s := open(t, m, "ola", 0)
	m.AddOperation(ctx, s, &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: []byte("op-ola-00000001"), Secret: []byte("s")}}, "", "")
	if _, err := meta.GetSession(ctx, hex.EncodeToString(s.Handle.SessionId.GUID)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session was written to an unshared store: %v", err)
	}
	if es, _ := meta.Engines(ctx); len(es) != 0 {
		t.Errorf("engines written to an unshared store: %v", es)
	}
}
