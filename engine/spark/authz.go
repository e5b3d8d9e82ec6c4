package spark

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RangerExtension is Kyuubi's Spark authorization plugin: it authorizes
// every statement of a Spark engine against Ranger Hive-service policies,
// with the same row filters and masks (its jar must be on Spark's class
// path, docs/authorization.md).
const RangerExtension = "org.apache.kyuubi.plugin.spark.authz.ranger.RangerSparkExtension"

// Authz hands the gateway's policies to Spark engines through Kyuubi's
// plugin: ConfDir holds ranger-spark-security.xml, which the plugin reads
// from the driver's class path.
type Authz struct {
	ConfDir string
}

// WriteRangerConf writes the plugin's configuration into dir: Ranger's
// policy cache is the gateway's policy file (linked as
// sparkSql_<service>.json), and restURL (a Ranger admin, or none) is
// where the plugin polls.
func WriteRangerConf(dir, service, restURL, policyFile string) (Authz, error) {
	cache := filepath.Join(dir, "cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return Authz{}, fmt.Errorf("spark authorization: %w", err)
	}
	link := filepath.Join(cache, "sparkSql_"+service+".json")
	_ = os.Remove(link)
	if err := os.Symlink(policyFile, link); err != nil {
		return Authz{}, fmt.Errorf("spark authorization: %w", err)
	}
	if restURL == "" {
		// No admin: Ranger's refresher fails to reach it and serves the
		// cache, which the gateway keeps current.
		restURL = "http://127.0.0.1:1"
	}
	props := [][2]string{
		{"ranger.plugin.spark.service.name", service},
		{"ranger.plugin.spark.policy.rest.url", restURL},
		{"ranger.plugin.spark.policy.cache.dir", cache},
		{"ranger.plugin.spark.policy.pollIntervalMs", "5000"},
		{"ranger.plugin.spark.policy.source.impl", "org.apache.ranger.admin.client.RangerAdminRESTClient"},
	}
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!-- written by the kitsune gateway -->\n<configuration>\n")
	for _, p := range props {
		fmt.Fprintf(&b, "  <property><name>%s</name><value>%s</value></property>\n", p[0], xmlEscape(p[1]))
	}
	b.WriteString("</configuration>\n")
	if err := os.WriteFile(filepath.Join(dir, "ranger-spark-security.xml"), []byte(b.String()), 0o644); err != nil {
		return Authz{}, fmt.Errorf("spark authorization: %w", err)
	}
	return Authz{ConfDir: dir}, nil
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// authzConfs puts the plugin in: after the session's own confs, so that a
// session cannot take it out.
func authzConfs(confs map[string]string, a *Authz) {
	if a == nil {
		return
	}
	exts := confs["spark.sql.extensions"]
	if !strings.Contains(exts, RangerExtension) {
		exts = strings.Trim(exts+","+RangerExtension, ",")
	}
	confs["spark.sql.extensions"] = exts
	cp := confs["spark.driver.extraClassPath"]
	confs["spark.driver.extraClassPath"] = strings.Trim(cp+string(os.PathListSeparator)+a.ConfDir, string(os.PathListSeparator))
}
