//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runBeeline(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(kitsuneBin, append([]string{"beeline"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(stdin)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestBeeline(t *testing.T) {
	g := startGateway(t)
	url := "jdbc:hive2://" + g.binAddr + "/default"
	out, errOut, code := runBeeline(t, "", "-u", url, "-n", "alice", "-e", "SELECT 1 AS one, 'x' AS s")
	if code != 0 || !strings.Contains(out, "| one | s |") || !strings.Contains(out, "| 1   | x |") {
		t.Errorf("table output (exit %d):\n%s\n%s", code, out, errOut)
	}
	httpURL := "jdbc:hive2://" + g.httpAddr + "/default;transportMode=http;httpPath=cliservice?spark.sql.shuffle.partitions=3#n=4"
	out, errOut, code = runBeeline(t, "", "-u", httpURL, "-n", "bob", "--outputformat=csv", "--silent=true",
		"-e", "SET spark.sql.shuffle.partitions", "-e", "SELECT id FROM range(${n})")
	if code != 0 || out != "key,value\nspark.sql.shuffle.partitions,3\nid\n0\n1\n2\n3\n" || errOut != "" {
		t.Errorf("http csv silent (exit %d):\n%q\n%s", code, out, errOut)
	}
	_, errOut, code = runBeeline(t, "", "-u", url, "-n", "alice", "-e", "SELEC 1")
	if code == 0 || !strings.Contains(errOut, "syntax error") || !strings.Contains(errOut, "state=42601") {
		t.Errorf("syntax error: exit %d, stderr %s", code, errOut)
	}
	script := filepath.Join(t.TempDir(), "s.sql")
	_ = os.WriteFile(script, []byte("CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1), (2);\nSELECT sum(a) AS total FROM t;\n"), 0o644)
	out, _, code = runBeeline(t, "", "-u", url, "-n", "carol", "-f", script, "--outputformat=json")
	if code != 0 || !strings.Contains(out, `{"resultset":[{"total":"3"}]}`) {
		t.Errorf("-f script json (exit %d): %s", code, out)
	}
	out, _, code = runBeeline(t, "SELECT current_user() AS u;\nSELECT 'a;b'\n AS v;\n!quit\n", "-u", url, "-n", "dave", "--outputformat=tsv")
	if code != 0 || !strings.Contains(out, "u\ndave\n") || !strings.Contains(out, "v\na;b\n") {
		t.Errorf("interactive (exit %d): %q", code, out)
	}
}
