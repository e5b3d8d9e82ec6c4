package authz

import (
	"fmt"
	"os"
	"sync"
	"time"

	"go.uber.org/zap"
)

// File is a policy file, read again whenever it changes (its size,
// modification time or inode): the next statement after an edit or a
// Ranger download is decided by the new policies, with no restart. A file
// that stops parsing keeps the last good policies in force, and says so
// in the log once per change.
type File struct {
	path string
	lg   *zap.Logger

	mu   sync.Mutex
	seen fileStamp
	cur  *Policies
}

type fileStamp struct {
	size int64
	mod  time.Time
	ino  uint64
}

// OpenFile reads the policy file; it must exist and parse.
func OpenFile(path string, lg *zap.Logger) (*File, error) {
	f := &File{path: path, lg: lg}
	st, err := stamp(path)
	if err != nil {
		return nil, fmt.Errorf("authorization policy file (kitsune.authorization.policy.file): %w", err)
	}
	ps, err := readPolicies(path)
	if err != nil {
		return nil, err
	}
	f.seen, f.cur = st, ps
	return f, nil
}

func readPolicies(path string) (*Policies, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorization policy file (kitsune.authorization.policy.file): %w", err)
	}
	ps, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("authorization policy file %s: %w", path, err)
	}
	return ps, nil
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

// Policies are the policies in force, read again first if the file
// changed.
func (f *File) Policies() *Policies {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := stamp(f.path)
	if err != nil || st == f.seen {
		if err != nil && f.seen != (fileStamp{}) {
			f.lg.Error("authorization policy file unreadable: the last policies stay in force", zap.String("path", f.path), zap.Error(err))
			f.seen = fileStamp{}
		}
		return f.cur
	}
	f.seen = st
	ps, err := readPolicies(f.path)
	if err != nil {
		f.lg.Error("authorization policies not reloaded: the last policies stay in force", zap.String("path", f.path), zap.Error(err))
		return f.cur
	}
	f.lg.Info("authorization policies reloaded", zap.String("path", f.path), zap.Int64("policy_version", ps.Version()))
	f.cur = ps
	return ps
}
