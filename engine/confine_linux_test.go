//go:build e2e

package engine

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// confineHelper, set in the environment, makes the test binary a helper
// that confines itself to the directory it names and executes cat on the
// arguments (as `kitsune engine --confine` re-executes itself).
const confineHelper = "KITSUNE_TEST_CONFINE_HOME"

func confinedCat(t *testing.T, home string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestConfineHelper$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), confineHelper+"="+home)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// TestConfineHelper is the helper process of TestConfineExec.
func TestConfineHelper(t *testing.T) {
	home := os.Getenv(confineHelper)
	if home == "" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	err := ConfineExec(Confinement{ReadWrite: []string{home}}, "/usr/bin/cat", append([]string{"cat"}, args...), os.Environ())
	t.Fatalf("not confined: %v", err)
}

// A confined process reads its own directory and nothing the confinement
// does not name: not another tenant's file, not one reached through a
// symbolic link from its own directory, not another process's /proc entry.
func TestConfineExec(t *testing.T) {
	work := t.TempDir()
	home, other := filepath.Join(work, "alice"), filepath.Join(work, "bob")
	for _, d := range []string{home, other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.WriteFile(filepath.Join(home, "mine"), []byte("MINE\n"), 0o600)
	_ = os.WriteFile(filepath.Join(other, "theirs"), []byte("THEIRS\n"), 0o600)
	_ = os.Symlink(filepath.Join(other, "theirs"), filepath.Join(home, "link"))
	if out, ok := confinedCat(t, home, filepath.Join(home, "mine")); !ok || out != "MINE\n" {
		t.Fatalf("own file: %q %v", out, ok)
	}
	for _, p := range []string{filepath.Join(other, "theirs"), filepath.Join(home, "link"), "/etc/passwd",
		"/proc/" + strconv.Itoa(os.Getpid()) + "/environ"} {
		if out, ok := confinedCat(t, home, p); ok || strings.Contains(out, "THEIRS") || strings.Contains(out, "PATH=") {
			t.Errorf("%s: read %q", p, out)
		}
	}
	if _, err := os.ReadFile("/etc/passwd"); err != nil {
		t.Errorf("the test process lost access: %v", err)
	}
}
