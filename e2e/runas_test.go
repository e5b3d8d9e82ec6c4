//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// With kitsune.engine.local.run.as.user each local engine runs as the OS
// user named like its tenant, in a directory that user owns (0700): two
// tenants' engines are two OS users, kept apart by the kernel as well.
func TestEnginesRunAsTheTenantsOSUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test creates OS users: run it as root (CI does)")
	}
	for _, u := range []string{"ktann", "ktben"} {
		_ = exec.Command("userdel", u).Run()
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", u).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v %s", u, err, out)
		}
		t.Cleanup(func() { _ = exec.Command("userdel", u).Run() })
	}
	// The engine binary and the work directory must be reachable by them.
	_ = os.Chmod(filepath.Dir(kitsuneBin), 0o755)
	work, err := os.MkdirTemp("", "kitsune-runas")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(work, 0o755)
	t.Cleanup(func() { os.RemoveAll(work) })
	g := startGateway(t, "kitsune.engine.local.run.as.user=true", "kitsune.server.work.dir="+work)
	for _, name := range []string{"ktann", "ktben"} {
		c := g.native(t, name)
		sh := openSession(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil).SessionHandle
		r, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "CREATE TABLE mine AS SELECT 1 AS x"})
		if err != nil || r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatalf("%s: %v %v", name, err, r.GetStatus())
		}
		u, _ := user.Lookup(name)
		dir := filepath.Join(work, name)
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if sys := st.Sys().(*syscall.Stat_t); fmt.Sprint(sys.Uid) != u.Uid || st.Mode().Perm() != 0o700 {
			t.Errorf("%s's directory: owner %d mode %v, want %s and 0700", name, sys.Uid, st.Mode().Perm(), u.Uid)
		}
		pids := enginePIDs(dir)
		if len(pids) != 1 {
			t.Fatalf("%s: engine processes %v", name, pids)
		}
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pids[0]))
		if !strings.Contains(string(status), "\nUid:\t"+u.Uid+"\t") {
			t.Errorf("%s's engine does not run as uid %s:\n%s", name, u.Uid, status)
		}
	}
	// A tenant without an OS user is refused, naming the user and the key.
	_, r := g.openWith(t, "ktnobody", nil)
	refusedWith(t, r, `no OS user "ktnobody"`)
}
