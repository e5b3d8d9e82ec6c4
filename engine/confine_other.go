//go:build !linux

package engine

import "errors"

// Confinement is the file system a local engine process may reach (Linux
// Landlock; elsewhere only DuckDB's own guards apply).
type Confinement struct {
	ReadWrite []string
	ReadOnly  []string
}

// ErrNoLandlock: this system cannot confine processes.
var ErrNoLandlock = errors.New("no Landlock on this system: local engines run with DuckDB's guards only")

// ConfineExec cannot confine here.
func ConfineExec(Confinement, string, []string, []string) error { return ErrNoLandlock }
