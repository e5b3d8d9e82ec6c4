//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// sparkHome makes a SPARK_HOME whose bin/spark-submit is the stub.
func sparkHome(t *testing.T) string {
	t.Helper()
	stub, err := filepath.Abs("../engine/spark/testdata/spark-submit")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(stub, filepath.Join(home, "bin", "spark-submit")); err != nil {
		t.Fatal(err)
	}
	return home
}

// pidWithArg finds a live process whose command line contains arg.
func pidWithArg(arg string) int {
	if pids := livePIDs(func(cmd string) bool { return strings.Contains(cmd, arg) }); len(pids) > 0 {
		return pids[0]
	}
	return 0
}

func sparkGateway(t *testing.T, record string, extra ...string) *gateway {
	confs := append([]string{"kitsune.engine.type=SPARK_SQL", "kitsune.engineEnv.SPARK_HOME=" + sparkHome(t),
		"kitsune.engineEnv.KITSUNE_BIN=" + kitsuneBin, "kitsune.engineEnv.KITSUNE_STUB_RECORD=" + record,
		"kitsune.engineEnv.HADOOP_CONF_DIR=/etc/hadoop", "spark.master=yarn", "kitsune.session.engine.initialize.timeout=PT30S"}, extra...)
	return startGateway(t, confs...)
}

func TestSparkLauncherThroughStub(t *testing.T) {
	record := filepath.Join(t.TempDir(), "argv")
	g := sparkGateway(t, record)
	conn, err := g.gohiveConf(t, "alice", map[string]string{"spark.executor.memory": "2g", "kitsune.engine.queue": "etl", "spark.sql.shuffle.partitions": "7"})
	if err != nil {
		t.Fatal(err)
	}
	if v := one(t, conn, "SELECT current_user() AS u"); v != "alice" {
		t.Errorf("current_user() through the Spark launcher: %s", v)
	}
	id := one(t, conn, "SET kitsune.engine.id")
	b, _ := os.ReadFile(record)
	argv := string(b)
	for _, want := range []string{"--class\norg.apache.spark.sql.hive.thriftserver.HiveThriftServer2\n--master\nyarn\n--deploy-mode\nclient\n--proxy-user\nalice\n",
		"--conf\nspark.app.name=kitsune_USER_alice_default_" + id + "\n", "--conf\nspark.executor.memory=2g\n", "--conf\nspark.yarn.queue=etl\n",
		"--conf\nspark.yarn.tags=KITSUNE," + id + "\n", "--conf\nspark.yarn.maxAppAttempts=1\n", "--conf\nspark.sql.shuffle.partitions=7\n",
		"spark-internal\n--hiveconf\nhive.server2.thrift.port=", "HADOOP_CONF_DIR=/etc/hadoop", "KITSUNE_ENGINE_SECRET=<set>"} {
		if !strings.Contains(argv, want) {
			t.Errorf("recorded spark-submit call lacks %q:\n%s", want, argv)
		}
	}
	for _, leak := range []string{"kitsune.frontend", "kitsune.server.work.dir", "kitsune.engineEnv", "initialize.timeout", "kitsune.authentication"} {
		if strings.Contains(argv, leak) {
			t.Errorf("server-only key %s reached spark-submit:\n%s", leak, argv)
		}
	}
	if _, err := os.Stat(filepath.Join(g.workDir, "alice", "spark-"+id+".log")); err != nil {
		t.Errorf("no spark-submit log: %v", err)
	}
	// The engine dies: the next session gets a new one.
	pid := pidWithArg("--id " + id + " ")
	if pid == 0 {
		t.Fatal("no engine process")
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	testenv.Eventually(t, 10*time.Second, func() error { return gone(pidWithArg("--id " + id + " ")) })
	conn2 := g.gohive(t, "alice", "NONE", false)
	if id2 := one(t, conn2, "SET kitsune.engine.id"); id2 == id || id2 == "" {
		t.Errorf("after the engine died: %q", id2)
	}
	// Cluster deploy mode with the Thrift server is refused before spark-submit runs.
	_, r := g.openWith(t, "bob", map[string]string{"spark.submit.deployMode": "cluster"})
	refusedWith(t, r, "client deploy mode only")
}

func TestSparkLaunchFailures(t *testing.T) {
	record := filepath.Join(t.TempDir(), "argv")
	failing := sparkGateway(t, record, "kitsune.engineEnv.KITSUNE_STUB_MODE=fail")
	_, r := failing.openWith(t, "carl", nil)
	refusedWith(t, r, "the Spark engine for USER_SPARK_SQL/carl/default failed: spark-submit exit status 1; last lines of ")
	refusedWith(t, r, "YarnException: Failed to submit application to YARN")

	hanging := sparkGateway(t, record, "kitsune.engineEnv.KITSUNE_STUB_MODE=hang", "kitsune.session.engine.initialize.timeout=PT2S")
	start := time.Now()
	_, r = hanging.openWith(t, "dina", nil)
	refusedWith(t, r, "did not start within 2s (kitsune.session.engine.initialize.timeout)")
	refusedWithCode(t, r, status.CodeNoEngine)
	if time.Since(start) > 20*time.Second {
		t.Errorf("the timeout took %s", time.Since(start))
	}
	testenv.Eventually(t, 10*time.Second, func() error {
		if pid := pidWithArg("sleep 3600"); pid != 0 {
			return fmt.Errorf("the hanging spark-submit (pid %d) was not stopped", pid)
		}
		return nil
	})
}

func TestSparkKyuubiEngineModes(t *testing.T) {
	z := testenv.StartZooKeeper(t)
	for _, mode := range []string{"client", "cluster"} {
		t.Run(mode, func(t *testing.T) {
			record := filepath.Join(t.TempDir(), "argv")
			g := sparkGateway(t, record, "kitsune.engine.spark.mode=kyuubi-engine", "kitsune.engine.spark.main.resource=/opt/kyuubi/kyuubi-spark-sql-engine.jar",
				"kitsune.ha.addresses="+z.Addr, "kitsune.ha.namespace=kitsune_spark_"+mode, testSecret, "spark.submit.deployMode="+mode,
				"kitsune.session.engine.idle.timeout=PT3S")
			conn := g.gohive(t, "emma", "NONE", false)
			if v := one(t, conn, "SELECT 20 + 22 AS x"); v != "42" {
				t.Errorf("query through a %s-mode Kyuubi engine: %s", mode, v)
			}
			id := one(t, conn, "SET kitsune.engine.id")
			b, _ := os.ReadFile(record)
			for _, want := range []string{"--class\norg.apache.kyuubi.engine.spark.SparkSQLEngine\n", "--deploy-mode\n" + mode + "\n",
				"--conf\nspark.kyuubi.ha.addresses=" + z.Addr + "\n", "--conf\nspark.kyuubi.ha.engine.ref.id=" + id + "\n",
				"--conf\nspark.kyuubi.ha.namespace=/kitsune_spark_" + mode + "_0.1.0_USER_SPARK_SQL/emma/default\n",
				"--conf\nspark.kyuubi.session.engine.idle.timeout=PT3S\n", "/opt/kyuubi/kyuubi-spark-sql-engine.jar\n"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("recorded call lacks %q:\n%s", want, b)
				}
			}
			conn.Close()
			// The engine stops itself when idle (the gateway passed the timeout).
			deadline := time.Now().Add(30 * time.Second)
			for pidWithArg("--id "+id+" ") != 0 && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
			}
			if pid := pidWithArg("--id " + id + " "); pid != 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				t.Error("the Kyuubi engine did not stop itself when idle")
			}
		})
	}
}
