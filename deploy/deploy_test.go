// Package deploy_test checks the container files against the code, so
// they cannot drift: the ports are the configuration's defaults, the
// probes the gateway's endpoints, the configuration keys real and valid.
package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/server/rest"
)

// portKeys are the container's ports by name, and the key of each.
var portKeys = map[string]string{
	"thrift-binary": "kitsune.frontend.thrift.binary.bind.port",
	"thrift-http":   "kitsune.frontend.thrift.http.bind.port",
	"rest":          "kitsune.frontend.rest.bind.port",
	"metrics":       "kitsune.metrics.prometheus.port",
}

func defaultPort(t *testing.T, key string) int {
	k, ok := conf.Lookup(key)
	if !ok {
		t.Fatalf("no key %s", key)
	}
	n, err := strconv.Atoi(k.Default)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// manifests reads every YAML document under kubernetes/, by kind.
func manifests(t *testing.T) map[string]map[string]any {
	files, _ := filepath.Glob("kubernetes/*.yaml")
	if len(files) < 4 {
		t.Fatalf("manifests: %v", files)
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out[doc["kind"].(string)] = doc
		}
	}
	return out
}

// at walks a document: keys of maps, indexes of lists.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestKubernetesManifests(t *testing.T) {
	m := manifests(t)
	for _, kind := range []string{"Deployment", "Service", "ConfigMap", "PodDisruptionBudget"} {
		if m[kind] == nil {
			t.Fatalf("no %s", kind)
		}
	}
	c := at(m["Deployment"], "spec", "template", "spec", "containers", 0)
	ports := map[string]int{}
	for _, p := range at(c, "ports").([]any) {
		ports[at(p, "name").(string)] = at(p, "containerPort").(int)
	}
	for name, key := range portKeys {
		if ports[name] != defaultPort(t, key) {
			t.Errorf("container port %s = %d, %s defaults to %d", name, ports[name], key, defaultPort(t, key))
		}
	}
	if p := at(c, "readinessProbe", "httpGet", "path"); p != rest.ReadinessPath || at(c, "readinessProbe", "httpGet", "port") != "rest" {
		t.Errorf("readiness probe %v on %v, want %s on rest", p, at(c, "readinessProbe", "httpGet", "port"), rest.ReadinessPath)
	}
	if p := at(c, "livenessProbe", "tcpSocket", "port"); ports[p.(string)] == 0 {
		t.Errorf("liveness probe on an unknown port %v", p)
	}
	if v := at(m["Deployment"], "spec", "template", "metadata", "annotations", "prometheus.io/port"); v != strconv.Itoa(defaultPort(t, portKeys["metrics"])) {
		t.Errorf("prometheus.io/port = %v", v)
	}
	if v := at(m["Deployment"], "spec", "template", "metadata", "annotations", "prometheus.io/path"); v != mustDefault(t, "kitsune.metrics.prometheus.path") {
		t.Errorf("prometheus.io/path = %v", v)
	}
	for _, sp := range at(m["Service"], "spec", "ports").([]any) {
		name := at(sp, "targetPort").(string)
		if ports[name] == 0 || at(sp, "port") != ports[name] {
			t.Errorf("service port %v → %s does not match the container's", at(sp, "port"), name)
		}
	}
	labels := at(m["Deployment"], "spec", "template", "metadata", "labels", "app.kubernetes.io/name")
	for _, kind := range []string{"Service", "PodDisruptionBudget"} {
		sel := at(m[kind], "spec", "selector", "app.kubernetes.io/name")
		if sel == nil {
			sel = at(m[kind], "spec", "selector", "matchLabels", "app.kubernetes.io/name")
		}
		if sel != labels {
			t.Errorf("%s selects %v, the pods are %v", kind, sel, labels)
		}
	}
	checkConfigMap(t, at(m["ConfigMap"], "data", "kitsune-defaults.conf").(string), at(c, "volumeMounts"))
}

func mustDefault(t *testing.T, key string) string {
	k, ok := conf.Lookup(key)
	if !ok {
		t.Fatalf("no key %s", key)
	}
	return k.Default
}

// checkConfigMap: the defaults file is valid for conf (unknown keys and
// bad values are refused) and is mounted where the image reads it.
func checkConfigMap(t *testing.T, defaults string, mounts any) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, conf.DefaultsFile), []byte(defaults), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := conf.ReadPropertiesFile(filepath.Join(dir, conf.DefaultsFile))
	if err != nil || len(raw) < 5 {
		t.Fatalf("the ConfigMap's defaults: %v %v", raw, err)
	}
	if _, err := conf.FromMap(raw); err != nil {
		t.Errorf("the ConfigMap's defaults are refused: %v", err)
	}
	mounted := false
	for _, v := range mounts.([]any) {
		mounted = mounted || at(v, "mountPath") == dockerEnv(t, "KITSUNE_CONF_DIR")
	}
	if !mounted {
		t.Errorf("the ConfigMap is not mounted at the image's KITSUNE_CONF_DIR (%s)", dockerEnv(t, "KITSUNE_CONF_DIR"))
	}
}

func dockerfile(t *testing.T) string {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func dockerEnv(t *testing.T, name string) string {
	m := regexp.MustCompile(`(?m)^ENV ` + name + `=(\S+)`).FindStringSubmatch(dockerfile(t))
	if m == nil {
		t.Fatalf("the Dockerfile sets no %s", name)
	}
	return m[1]
}

func TestDockerfile(t *testing.T) {
	d := dockerfile(t)
	m := regexp.MustCompile(`(?m)^EXPOSE (.+)$`).FindStringSubmatch(d)
	if m == nil {
		t.Fatal("no EXPOSE")
	}
	exposed := strings.Fields(m[1])
	for _, key := range portKeys {
		if !slices.Contains(exposed, strconv.Itoa(defaultPort(t, key))) {
			t.Errorf("EXPOSE %v lacks %s's default", exposed, key)
		}
	}
	for _, want := range []string{"FROM golang:1.26", "USER kitsune", "HEALTHCHECK", `"beeline"`, `"SELECT 1"`} {
		if !strings.Contains(d, want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
	for _, kv := range regexp.MustCompile(`"(kitsune\.[a-z.]+)=[^"]*"`).FindAllStringSubmatch(d, -1) {
		if _, ok := conf.Lookup(kv[1]); !ok {
			t.Errorf("the Dockerfile sets an unknown key %s", kv[1])
		}
	}
}
