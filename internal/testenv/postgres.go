package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Postgres is a running PostgreSQL server with a database "kitsune".
type Postgres struct {
	URL string
	// data and opts restart it (Stop, Start).
	data, opts, log string
}

func pgCtl(args ...string) error {
	return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, "pg_ctl")}, args...)...).Run()
}

// Stop stops the server at once (an outage); Start brings it back.
func (p *Postgres) Stop(t testing.TB) {
	t.Helper()
	if err := pgCtl("-D", p.data, "-m", "immediate", "-w", "stop"); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
}

// Start starts a stopped server again.
func (p *Postgres) Start(t testing.TB) {
	t.Helper()
	if err := pgCtl("-D", p.data, "-l", p.log, "-w", "-o", p.opts, "start"); err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
}

const pgBin = "/usr/lib/postgresql/15/bin"

// StartPostgres starts Debian's PostgreSQL 15 (package postgresql) as the
// postgres user on a free port; it is stopped at the end of the test.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		t.Fatalf("PostgreSQL is not installed: run scripts/install-test-deps.sh (make deps): %v", err)
	}
	dir, err := os.MkdirTemp("", "kitsune-pg")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	port := strconv.Itoa(FreePort(t))
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := exec.Command("chown", "postgres:", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir)
	run(filepath.Join(pgBin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
	run(filepath.Join(pgBin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "pg.log"), "-w", "-o", opts, "start")
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(pgBin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	run(filepath.Join(pgBin, "createdb"), "-h", dir, "-p", port, "kitsune")
	return &Postgres{URL: "postgres://postgres@127.0.0.1:" + port + "/kitsune", data: data, opts: opts, log: filepath.Join(dir, "pg.log")}
}
