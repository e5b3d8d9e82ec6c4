//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

func TestEnginePool(t *testing.T) {
	g := startGateway(t, "kitsune.engine.pool.size.threshold=4")
	pool := map[string]string{"kitsune.engine.pool.size": "3", "kitsune.engine.pool.selectPolicy": "POLLING", "kitsune.engine.pool.name": "bi"}
	var ids []string
	for i := 0; i < 6; i++ {
		_, r := g.openWith(t, "yara", pool)
		if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Fatal(r.Status)
		}
		ids = append(ids, r.Configuration["kitsune.engine.id"])
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] || ids[3] != ids[0] || ids[4] != ids[1] || ids[5] != ids[2] {
		t.Errorf("POLLING over 3 engines gave %v", ids)
	}
	for _, sub := range []string{"bi-0", "bi-1", "bi-2"} {
		if logs, _ := filepath.Glob(filepath.Join(g.workDir, "yara", sub, "*")); len(logs) == 0 {
			// the engine's database directory is named after its subdomain
			t.Errorf("no engine directory for subdomain %s", sub)
		}
	}
	_, r := g.openWith(t, "yara", map[string]string{"kitsune.engine.pool.size": "5"})
	refusedWith(t, r, "kitsune.engine.pool.size=5 is above the maximum 4 (kitsune.engine.pool.size.threshold)")
	refusedWithCode(t, r, status.CodeAboveMaximum)
}

func TestEnginesRefuseDirectConnections(t *testing.T) {
	g := startGateway(t)
	conn := g.gohive(t, "zoe", "NONE", false)
	id := one(t, conn, "SET kitsune.engine.id")
	b, err := os.ReadFile(filepath.Join(g.workDir, "zoe", "engine-"+id+".log"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"addr": "([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no address in the engine log:\n%s", b)
	}
	// A user who finds the engine port cannot use it without the secret.
	_, err = client.Dial(context.Background(), client.Options{Addr: string(m[1]), User: "zoe", Password: "guess"})
	if err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("direct connection to the engine: %v", err)
	}
	if strings.Contains(string(b), "KITSUNE_ENGINE_SECRET") {
		t.Error("the engine log shows the secret's variable")
	}
}

func TestTenancyWithHiveDriver(t *testing.T) {
	g := startGateway(t, "kitsune.session.conf.restrict.list=spark.driver.cores")
	host, port := hostPort(t, g.binAddr)
	confs := []map[string]string{
		{},
		{"set:hiveconf:kitsune.engine.memory": "384m"},
		{"set:hiveconf:kitsune.engine.share.level": "CONNECTION"},
		{"set:hiveconf:spark.driver.cores": "4"},
	}
	js, _ := json.Marshal(confs)
	cmd := exec.Command("node", "../test/node/tenancy.js", host, itoa(port), "ada", string(js))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var got []struct{ Engine, Memory, Error string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got[0].Engine == "" || got[1].Engine == got[0].Engine || got[1].Memory != "384.0 MiB" {
		t.Errorf("profile through hive-driver: %+v", got[:2])
	}
	if got[2].Engine == "" || got[2].Engine == got[0].Engine {
		t.Errorf("CONNECTION share level through hive-driver: %+v", got[2])
	}
	if !strings.Contains(got[3].Error, "spark.driver.cores is restricted by the administrator (kitsune.session.conf.restrict.list)") {
		t.Errorf("restricted conf through hive-driver: %+v", got[3])
	}
}
