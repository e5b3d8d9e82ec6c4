package session

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"github.com/kitsune-sql/kitsune/session/store"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// ForOperation returns the session owning operation h.
func (m *Manager) ForOperation(ctx context.Context, h *tcli.TOperationHandle, user string) (*Session, error) {
	if h == nil || h.OperationId == nil {
		return nil, ErrNoOperation
	}
	s, ok := m.ops.Get(serve.Key(h.OperationId))
	if !ok && m.shared() {
		op, err := m.storedOperation(ctx, hex.EncodeToString(h.OperationId.GUID))
		switch {
		case err == nil:
			if s, err = m.adopt(ctx, op.SessionID); err != nil {
				return nil, err
			}
			if s != nil {
				m.AddOperation(ctx, s, h, "", "")
				ok = true
			}
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case !errors.Is(err, store.ErrNotFound):
			return nil, storeUnavailable(err)
		}
	}
	if !ok || (user != "" && s.Owner != user) {
		return nil, ErrNoOperation
	}
	return s, nil
}

// storedOperation looks an operation up in the store; one not found is
// looked for again after a batch's write, since the gateway that opened it
// records it within one.
func (m *Manager) storedOperation(ctx context.Context, id string) (store.Operation, error) {
	op, err := m.cfg.Store.GetOperation(ctx, id)
	if !errors.Is(err, store.ErrNotFound) {
		return op, err
	}
	select {
	case <-ctx.Done():
		return store.Operation{}, ctx.Err()
	case <-time.After(2 * batchInterval):
	}
	return m.cfg.Store.GetOperation(ctx, id)
}

// AddOperation records that operation h belongs to s.
func (m *Manager) AddOperation(ctx context.Context, s *Session, h *tcli.TOperationHandle, typ, statement string) {
	if h == nil || h.OperationId == nil {
		return
	}
	k := serve.Key(h.OperationId)
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return // closed meanwhile: its engine session and operations are gone
	}
	o := Operation{Handle: h, Type: typ, Statement: statement, Created: time.Now()}
	s.mu.ops[k] = o
	s.mu.opened++
	s.mu.Unlock()
	m.cfg.Observer.OperationOpened(s, o)
	first := m.ops.Put(k, s)
	if first {
		m.mu.Lock()
		m.mu.userOps[s.User]++
		m.mu.Unlock()
	}
	if m.adoptable(s) && first {
		// Batched (opbatch.go): no statement waits for a store commit.
		m.batch.add(store.Operation{ID: hex.EncodeToString(h.OperationId.GUID), SessionID: hex.EncodeToString(s.Handle.SessionId.GUID), Created: time.Now()})
	}
}

// RemoveOperation forgets operation h.
func (m *Manager) RemoveOperation(ctx context.Context, s *Session, h *tcli.TOperationHandle) {
	k := serve.Key(h.OperationId)
	m.forgetOperation(s, k)
	s.mu.Lock()
	o, ok := s.mu.ops[k]
	delete(s.mu.ops, k)
	s.mu.Unlock()
	if ok {
		m.cfg.Observer.OperationClosed(s, o)
	}
	if m.adoptable(s) {
		m.batch.remove(hex.EncodeToString(h.OperationId.GUID))
	}
}

// adoptable reports whether another gateway may adopt s (an HTTP session
// with a shared store): only then are its operations recorded, so the
// statement path writes nothing to disk otherwise.
func (m *Manager) adoptable(s *Session) bool {
	return m.shared() && s.ConnID == 0
}

// forgetOperation drops operation k of s from the registry and from its
// user's count of open operations.
func (m *Manager) forgetOperation(s *Session, k string) {
	if _, ok := m.ops.Delete(k); !ok {
		return
	}
	m.mu.Lock()
	if m.mu.userOps[s.User]--; m.mu.userOps[s.User] <= 0 {
		delete(m.mu.userOps, s.User)
	}
	m.mu.Unlock()
}

// AllowOperation refuses a new operation on s beyond the open-operation
// limits, naming the key.
func (m *Manager) AllowOperation(s *Session) error {
	lim := m.cfg.Limits
	if lim.OpsPerSession > 0 {
		s.mu.Lock()
		n := len(s.mu.ops)
		s.mu.Unlock()
		if n >= lim.OpsPerSession {
			return refused(status.CodeLimitOpsSession, "too many operations: this session has %d open, the limit is %d (kitsune.server.limit.operations.per.session): close finished operations", n, lim.OpsPerSession)
		}
	}
	if lim.OpsPerUser > 0 {
		m.mu.Lock()
		n := m.mu.userOps[s.User]
		m.mu.Unlock()
		if n >= lim.OpsPerUser {
			return refused(status.CodeLimitOpsUser, "too many operations: user %s has %d open, the limit is %d (kitsune.server.limit.operations.per.user)", s.User, n, lim.OpsPerUser)
		}
	}
	return nil
}

// SetOperationState records the state the engine told of operation h;
// the observer hears of each change.
func (m *Manager) SetOperationState(s *Session, h *tcli.TOperationHandle, state, sqlState, msg string) {
	if h == nil || h.OperationId == nil {
		return
	}
	k := serve.Key(h.OperationId)
	s.mu.Lock()
	o, ok := s.mu.ops[k]
	changed := ok && o.State != state
	if changed {
		o.State, o.SQLState, o.Error = state, sqlState, msg
		s.mu.ops[k] = o
	}
	s.mu.Unlock()
	if changed {
		m.cfg.Observer.OperationChanged(s, o)
	}
}

// AddRows counts rows fetched from operation h.
func (m *Manager) AddRows(s *Session, h *tcli.TOperationHandle, n int64) {
	if h == nil || h.OperationId == nil || n == 0 {
		return
	}
	k := serve.Key(h.OperationId)
	s.mu.Lock()
	if o, ok := s.mu.ops[k]; ok {
		o.Rows += n
		s.mu.ops[k] = o
	}
	s.mu.Unlock()
}
