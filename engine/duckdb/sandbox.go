package duckdb

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The local engine runs sandboxed: SQL reaches no file outside the
// tenant's own directory (DuckDB's enable_external_access=false with
// allowed_directories), loads no extension, and no statement can undo
// that (lock_configuration). The engine process adds a kernel-level layer
// (Landlock) that also stops symbolic links out of the directory.

// sandboxDDL is what locks a fresh database: run after every other
// setting. allowed are directories, files single files SQL may reach.
func sandboxDDL(allowed, files []string) []string {
	dirs := make([]string, 0, len(allowed))
	for _, d := range allowed {
		if d == "" {
			continue
		}
		d = filepath.Clean(d)
		dirs = append(dirs, sqlString(d+string(filepath.Separator)))
	}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		paths = append(paths, sqlString(filepath.Clean(f)))
	}
	return []string{
		"SET GLOBAL allowed_directories = [" + strings.Join(dirs, ", ") + "]",
		"SET GLOBAL allowed_paths = [" + strings.Join(paths, ", ") + "]",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL allow_community_extensions = false",
		"SET GLOBAL lock_configuration = true",
	}
}

// sandboxRefusal answers statements the sandbox refuses before DuckDB
// sees them: extensions cannot be installed or loaded.
func sandboxRefusal(words []string) error {
	first := ""
	if len(words) > 0 {
		first = strings.ToUpper(words[0])
	}
	second := ""
	if len(words) > 1 {
		second = strings.ToUpper(words[1])
	}
	switch {
	case first == "INSTALL", first == "LOAD", first == "FORCE" && second == "INSTALL", first == "UPDATE" && second == "EXTENSIONS":
		return fmt.Errorf("%s is refused by the local engine's sandbox: extensions cannot be installed or loaded", strings.TrimSpace(first+" "+second))
	}
	return nil
}

// permissionHint explains DuckDB's refusal of a path.
const permissionHint = " (the local engine's sandbox: SQL reaches files only in the tenant's own directory and the shared locations kitsune.engine.local.shared.<name>.* open to the tenant)"

// lockedHint explains DuckDB's refusal to change a setting.
const lockedHint = " (the local engine's sandbox locks DuckDB's own settings: set engine resources with kitsune.engine.memory and kitsune.engine.cores)"
