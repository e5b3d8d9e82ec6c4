package conf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT30M": 30 * time.Minute, "P1D": 24 * time.Hour, "PT0.5S": 500 * time.Millisecond, "PT1H2M3S": time.Hour + 2*time.Minute + 3*time.Second,
		"1500": 1500 * time.Millisecond, "90s": 90 * time.Second, "pt3m": 3 * time.Minute,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "PT", "P1H", "soon", "PTxS"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"512m": 512 << 20, "4g": 4 << 30, "4G": 4 << 30, "100MiB": 100 << 20, "1024": 1024, "1.5g": 3 << 29, "2kb": 2048} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1g", "4x"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func TestLoadFileFlagsAndAliases(t *testing.T) {
	dir := t.TempDir()
	file := "# comment\n! also a comment\nkyuubi.frontend.thrift.binary.bind.port 11000\nkitsune.frontend.bind.host=0.0.0.0\nkitsune.session.idle.timeout: PT1H\nspark.master local[2]\n"
	if err := os.WriteFile(filepath.Join(dir, DefaultsFile), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir, map[string]string{"kyuubi.frontend.thrift.binary.bind.port": "12000"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BinaryPort != 12000 || c.BindHost != "0.0.0.0" || c.SessionIdleTimeout != time.Hour || c.HTTPPort != 10010 {
		t.Errorf("loaded %+v", c)
	}
	if c.Raw["spark.master"] != "local[2]" {
		t.Errorf("non-kitsune keys are kept for engines: %v", c.Raw)
	}
	if c.MaxMessageSize != 100<<20 || c.EngineIdleTimeout != 30*time.Minute || c.EngineType != "DUCKDB" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestUnknownAndInvalidKeys(t *testing.T) {
	_, err := FromMap(map[string]string{"kitsune.frontend.thrift.binary.bind.prot": "1"})
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `did you mean "kitsune.frontend.thrift.binary.bind.port"`) {
		t.Errorf("unknown key: %v", err)
	}
	_, err = FromMap(map[string]string{"kyuubi.session.idle.timeout": "soon"})
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "kitsune.session.idle.timeout") {
		t.Errorf("bad duration: %v", err)
	}
	_, err = FromMap(map[string]string{"kitsune.frontend.protocols": "THRIFT_BINARY,TRINO"})
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "TRINO") {
		t.Errorf("bad choice: %v", err)
	}
	_, err = FromMap(map[string]string{"kitsune.authentication": "NOSASL,NONE"})
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "NOSASL must stand alone") {
		t.Errorf("NOSASL combined: %v", err)
	}
}

// TestDocsUpToDate fails when docs/configuration.md no longer matches the
// declarations: run `make docs`.
func TestDocsUpToDate(t *testing.T) {
	b, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Markdown() {
		t.Fatal("docs/configuration.md is stale: run `make docs` and commit it")
	}
	for _, k := range Declared() {
		if k.Doc == "" {
			t.Errorf("%s has no documentation", k.Name)
		}
	}
}
