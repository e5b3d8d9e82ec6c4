package authz

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"
)

// Mirror keeps a copy of the admin's policy file where engines read it
// (the gateway's work directory, the one directory a confined engine may
// read policies from): copied whenever the source changes, and only when
// it parses, so a broken edit leaves the last good policies in force.
type Mirror struct {
	Src, Dst string
	Interval time.Duration
	Log      *zap.Logger

	seen fileStamp
}

// Sync copies the source if it changed since the last copy.
func (m *Mirror) Sync() error {
	st, err := stamp(m.Src)
	if err != nil {
		return fmt.Errorf("authorization policy file (kitsune.authorization.policy.file): %w", err)
	}
	if st == m.seen {
		return nil
	}
	data, err := os.ReadFile(m.Src)
	if err != nil {
		return fmt.Errorf("authorization policy file (kitsune.authorization.policy.file): %w", err)
	}
	if _, err := Parse(data); err != nil {
		m.seen = st // said once per change
		return fmt.Errorf("authorization policy file %s: %w", m.Src, err)
	}
	if err := writeAtomic(m.Dst, data); err != nil {
		return err
	}
	m.seen = st
	return nil
}

// Run syncs every Interval until ctx ends.
func (m *Mirror) Run(ctx context.Context) {
	every(ctx, m.Interval, func() {
		if err := m.Sync(); err != nil {
			m.Log.Error("authorization policies not updated: the last policies stay in force", zap.String("path", m.Src), zap.Error(err))
		}
	})
}

// every calls f each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// writeAtomic replaces path with data in one rename, readable by engines
// that run as other OS users.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".policies-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
