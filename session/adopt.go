package session

import (
	"context"
	"encoding/hex"
	"errors"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/session/store"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// adopt takes over a session another gateway opened, from the store: nil
// when the store does not know it; an error (not "invalid handle") when
// the store cannot be asked, since only adoption depends on it.
func (m *Manager) adopt(ctx context.Context, id string) (*Session, error) {
	if !m.shared() {
		return nil, nil
	}
	rec, err := m.cfg.Store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the caller gave up; the store may be fine
		}
		return nil, storeUnavailable(err)
	}
	guid, err := hex.DecodeString(rec.ID)
	if err != nil {
		return nil, nil
	}
	if s, ok := m.sessions.Get(string(guid)); ok {
		return s, nil
	}
	key, err := tenancy.ParseKey(rec.EngineKey)
	if err != nil {
		// The key only names the engine in messages: adopt all the same.
		m.lg.Warn("a session's engine key in the metadata store does not parse", zap.String("session", id), zap.Error(err))
	}
	eng := engine.Remote(rec.EngineID, rec.EngineAddr, m.cfg.Secret, key)
	conns := m.conns.acquire(poolKey{engine: eng.ID, user: rec.User}, m.dialer(eng, rec.User))
	// The engine must answer before the session is taken over.
	if err := conns.call(ctx, func(EngineConn) error { return nil }); err != nil {
		m.conns.release(conns)
		m.lg.Warn("could not adopt a session: its engine does not answer", zap.String("session", id), zap.Error(err))
		return nil, nil
	}
	h := &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: guid, Secret: make([]byte, 16)}}
	s := newSession(h, rec.User, 0, eng, conns)
	s.Owner, s.Protocol = rec.Owner, tcli.TProtocolVersion(rec.Protocol)
	s.release = func() { m.conns.release(conns) }
	if prev, stored := m.sessions.PutFirst(string(guid), s); !stored {
		m.conns.release(conns)
		return prev, nil
	}
	m.lg.Info("adopted a session opened on another gateway", zap.String("user", s.User), zap.String("gateway", rec.Gateway))
	return s, nil
}

// storeUnavailable explains a failed adoption: the session may well exist,
// the store that says where could not be asked.
func storeUnavailable(err error) error {
	return &status.Error{SQLState: status.StateConnection, Code: status.CodeStoreUnavailable, Err: err,
		Message: "metadata store unavailable (kitsune.metadata.store.url): this gateway cannot take over a session opened on another one until it is back: " + err.Error()}
}
