package session

import (
	"context"
	"net"
	"time"

	"go.uber.org/zap"
)

// forgetStoppedEngines deletes the shared store's records of engines that
// no longer answer, with the sessions they served: nobody can adopt those.
// Any gateway may do it, and an engine whose gateway died (it stops itself
// when idle) has no other to notice; deleting twice is harmless.
func (m *Manager) forgetStoppedEngines(ctx context.Context) {
	engines, err := m.cfg.Store.Engines(ctx)
	if err != nil {
		m.lg.Debug("could not list engine records", zap.Error(err))
		return
	}
	d := net.Dialer{Timeout: 2 * time.Second}
	for _, e := range engines {
		c, err := d.DialContext(ctx, "tcp", e.Addr)
		if err == nil {
			c.Close()
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if err := m.cfg.Store.DeleteEngine(ctx, e.ID); err != nil {
			m.lg.Warn("could not delete the record of a stopped engine", zap.String("engine", e.ID), zap.Error(err))
			continue
		}
		m.lg.Info("forgot a stopped engine and its sessions", zap.String("engine", e.ID), zap.String("key", e.Key))
	}
}
