package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

func TestCookieKeyFileRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookie.keys")
	write := func(s string, mod time.Time) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		_ = os.Chtimes(path, mod, mod)
	}
	now := time.Now()
	write("# the first key signs\nfirst-key-0123456789\n", now.Add(-time.Hour))
	r, err := newFileKeyRing(path, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	r.every = 0
	if k := r.Keys(); len(k) != 1 || string(k[0]) != "first-key-0123456789" {
		t.Fatalf("keys: %q", k)
	}
	// Rotation: the new key first, the old one kept to verify.
	write("second-key-0123456789\nfirst-key-0123456789\n", now)
	if k := r.Keys(); len(k) != 2 || string(k[0]) != "second-key-0123456789" || string(k[1]) != "first-key-0123456789" {
		t.Errorf("after rotation: %q", k)
	}
	// A file that became unusable keeps the last good keys.
	write("short\n", now.Add(time.Minute))
	if k := r.Keys(); len(k) != 2 {
		t.Errorf("after a bad edit: %q", k)
	}
	for _, bad := range []string{"", "# nothing\n", "tooshort\n"} {
		write(bad, now)
		if _, err := newFileKeyRing(path, zaptest.NewLogger(t)); err == nil || !strings.Contains(err.Error(), "kitsune.frontend.thrift.http.cookie.key.file") {
			t.Errorf("file %q: %v", bad, err)
		}
	}
	if _, err := newFileKeyRing(filepath.Join(t.TempDir(), "missing"), zaptest.NewLogger(t)); err == nil {
		t.Error("a missing key file was accepted")
	}
}
