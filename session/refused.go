package session

import (
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// maxRefused bounds the remembered refusals.
const maxRefused = 1024

// Refused records err for a refused session and returns a handle that
// answers every later call with it.
func (m *Manager) Refused(err error) *tcli.TSessionHandle {
	h := &tcli.TSessionHandle{SessionId: serve.NewHandleID()}
	k := string(h.SessionId.GUID)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.refused[k] = err
	m.mu.refusedOrder = append(m.mu.refusedOrder, k)
	if len(m.mu.refusedOrder) > maxRefused {
		delete(m.mu.refused, m.mu.refusedOrder[0])
		m.mu.refusedOrder = m.mu.refusedOrder[1:]
	}
	return h
}
