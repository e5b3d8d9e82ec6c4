package spark

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Spark engines get Kyuubi's authorization plugin after the session's
// own confs, so a session cannot take it out; the plugin's Ranger
// configuration points its policy cache at the gateway's policy file.
func TestAuthzConfsAndRangerConf(t *testing.T) {
	dir := t.TempDir()
	policies := filepath.Join(dir, "policies.json")
	if err := os.WriteFile(policies, []byte(`{"policies": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := WriteRangerConf(filepath.Join(dir, "spark"), "hive", "", policies)
	if err != nil {
		t.Fatal(err)
	}
	xml, _ := os.ReadFile(filepath.Join(a.ConfDir, "ranger-spark-security.xml"))
	for _, want := range []string{"<name>ranger.plugin.spark.service.name</name><value>hive</value>", "ranger.plugin.spark.policy.cache.dir"} {
		if !strings.Contains(string(xml), want) {
			t.Errorf("ranger-spark-security.xml lacks %s:\n%s", want, xml)
		}
	}
	if b, err := os.ReadFile(filepath.Join(a.ConfDir, "cache", "sparkSql_hive.json")); err != nil || string(b) != `{"policies": []}` {
		t.Errorf("policy cache = %q, %v", b, err)
	}
	confs := map[string]string{"spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension"}
	authzConfs(confs, &a)
	if confs["spark.sql.extensions"] != "io.delta.sql.DeltaSparkSessionExtension,"+RangerExtension || confs["spark.driver.extraClassPath"] != a.ConfDir {
		t.Errorf("confs = %v", confs)
	}
	authzConfs(map[string]string{}, nil) // no authorization: nothing
}
