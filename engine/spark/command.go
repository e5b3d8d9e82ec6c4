package spark

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// Modes.
const (
	ModeThriftServer = "thriftserver"
	ModeKyuubiEngine = "kyuubi-engine"
)

// Main classes.
const (
	thriftServerClass = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
	kyuubiEngineClass = "org.apache.kyuubi.engine.spark.SparkSQLEngine"
)

// Config is the admin's Spark setup.
type Config struct {
	// SparkHome holds bin/spark-submit (kitsune.engineEnv.SPARK_HOME, then
	// the environment's SPARK_HOME).
	SparkHome string
	Mode      string
	// MainResource is the Kyuubi engine jar (kyuubi-engine mode).
	MainResource string
	// DoAs runs the engine as the session user (--proxy-user).
	DoAs bool
	// K8sQueueKey is the conf that carries the queue on Kubernetes (e.g. a
	// YuniKorn or Volcano queue label); empty: the queue is not passed.
	K8sQueueKey string
	// BindHost is where a Thrift-server engine listens.
	BindHost string
	// HAAddresses and Space: where a Kyuubi engine registers.
	HAAddresses []string
	Space       string
	// IdleTimeout is passed to Kyuubi engines, which stop themselves.
	IdleTimeout time.Duration
	// Env are kitsune.engineEnv.X settings: environment of spark-submit.
	Env map[string]string
	// Authz, when set, puts Kyuubi's authorization plugin in every engine.
	Authz *Authz
}

// Request is one launch.
type Request struct {
	Key     tenancy.Key
	Profile conf.Profile
	RefID   string
	// Confs are the session's effective confs (server < group < user <
	// session); server-only keys are dropped here.
	Confs map[string]string
	// Port is the Thrift server's port (thriftserver mode).
	Port int
	Now  time.Time
}

// Command is what to run.
type Command struct {
	Path string
	Args []string
	Env  []string
}

// ErrConfig is a launch the admin's or session's configuration makes
// impossible; the message names the key.
type ErrConfig struct{ Msg string }

func (e *ErrConfig) Error() string { return e.Msg }

// cluster is what the master says about where the engine runs.
type cluster struct {
	master, deployMode    string
	yarn, k8s, standalone bool
}

// Build returns the spark-submit command line for req.
func Build(cfg Config, req Request) (Command, error) {
	if cfg.SparkHome == "" {
		return Command{}, &ErrConfig{"no Spark: set kitsune.engineEnv.SPARK_HOME (or SPARK_HOME in the gateway's environment)"}
	}
	confs := engineConfs(req.Confs)
	cl := clusterOf(confs)
	if cfg.Mode == ModeThriftServer && cl.deployMode == "cluster" {
		return Command{}, &ErrConfig{"spark.submit.deployMode=cluster: Spark's Thrift server runs in client deploy mode only; use kitsune.engine.spark.mode=kyuubi-engine for cluster mode"}
	}
	profileConfs(confs, cfg, cl, req.Profile)
	findableConfs(confs, cl, req)
	authzConfs(confs, cfg.Authz)
	class, resource, appArgs, err := modeArgs(confs, cfg, req)
	if err != nil {
		return Command{}, err
	}
	args := []string{"--class", class, "--master", cl.master, "--deploy-mode", cl.deployMode}
	args = append(args, identityArgs(confs, cfg, req.Key.User)...)
	for _, k := range slices.Sorted(maps.Keys(confs)) {
		args = append(args, "--conf", k+"="+confs[k])
	}
	args = append(args, resource)
	args = append(args, appArgs...)
	env := make([]string, 0, len(cfg.Env))
	for _, k := range slices.Sorted(maps.Keys(cfg.Env)) {
		env = append(env, k+"="+cfg.Env[k])
	}
	return Command{Path: filepath.Join(cfg.SparkHome, "bin", "spark-submit"), Args: args, Env: env}, nil
}

// clusterOf takes the master and deploy mode out of confs (they become
// spark-submit options).
func clusterOf(confs map[string]string) cluster {
	cl := cluster{master: confs["spark.master"], deployMode: confs["spark.submit.deployMode"]}
	delete(confs, "spark.master")
	delete(confs, "spark.submit.deployMode")
	if cl.master == "" {
		cl.master = "local[*]"
	}
	if cl.deployMode == "" {
		cl.deployMode = "client"
	}
	cl.yarn = strings.HasPrefix(cl.master, "yarn")
	cl.k8s = strings.HasPrefix(cl.master, "k8s://")
	cl.standalone = strings.HasPrefix(cl.master, "spark://")
	return cl
}

// profileConfs maps the session's profile onto the cluster's settings.
func profileConfs(confs map[string]string, cfg Config, cl cluster, p conf.Profile) {
	if p.Queue != "" {
		switch {
		case cl.yarn:
			confs["spark.yarn.queue"] = p.Queue
		case cl.k8s && cfg.K8sQueueKey != "":
			confs[cfg.K8sQueueKey] = p.Queue
		}
	}
	if p.Cores > 0 {
		confs["spark.executor.cores"] = strconv.Itoa(p.Cores)
		if cl.standalone {
			confs["spark.cores.max"] = strconv.Itoa(p.Cores * max(p.Executors, 1))
		}
	}
	if p.Memory > 0 {
		confs["spark.executor.memory"] = conf.FormatBytes(p.Memory)
	}
	if p.Executors > 0 {
		if confs["spark.dynamicAllocation.enabled"] == "true" {
			confs["spark.dynamicAllocation.maxExecutors"] = strconv.Itoa(p.Executors)
		} else {
			confs["spark.executor.instances"] = strconv.Itoa(p.Executors)
		}
	}
}

// findableConfs name and tag the application so that it can be found
// again (and killed) by its reference id.
func findableConfs(confs map[string]string, cl cluster, req Request) {
	if _, ok := confs["spark.app.name"]; !ok {
		confs["spark.app.name"] = fmt.Sprintf("kitsune_%s_%s_%s_%s", strings.ToUpper(req.Key.ShareLevel), req.Key.User, req.Key.Subdomain, req.RefID)
	}
	if cl.yarn {
		tags := "KITSUNE," + req.RefID
		if t := confs["spark.yarn.tags"]; t != "" {
			tags = t + "," + tags
		}
		confs["spark.yarn.tags"] = tags
		if _, ok := confs["spark.yarn.maxAppAttempts"]; !ok {
			confs["spark.yarn.maxAppAttempts"] = "1"
		}
	}
	if cl.k8s {
		confs["spark.kubernetes.driver.label.kitsune-unique-tag"] = req.RefID
	}
}

// modeArgs are the main class, resource and application arguments of the
// engine mode (and the Kyuubi engine's registration settings).
func modeArgs(confs map[string]string, cfg Config, req Request) (class, resource string, appArgs []string, err error) {
	switch cfg.Mode {
	case ModeThriftServer:
		return thriftServerClass, "spark-internal", []string{"--hiveconf", "hive.server2.thrift.port=" + strconv.Itoa(req.Port),
			"--hiveconf", "hive.server2.thrift.bind.host=" + cfg.BindHost}, nil
	case ModeKyuubiEngine:
		if cfg.MainResource == "" {
			return "", "", nil, &ErrConfig{"kitsune.engine.spark.mode=kyuubi-engine needs kitsune.engine.spark.main.resource (the kyuubi-spark-sql-engine jar)"}
		}
		if len(cfg.HAAddresses) == 0 {
			return "", "", nil, &ErrConfig{"kitsune.engine.spark.mode=kyuubi-engine needs kitsune.ha.addresses: the engine registers in ZooKeeper"}
		}
		confs["spark.kyuubi.ha.namespace"] = cfg.Space
		confs["spark.kyuubi.ha.addresses"] = strings.Join(cfg.HAAddresses, ",")
		confs["spark.kyuubi.ha.engine.ref.id"] = req.RefID
		confs["spark.kyuubi.engine.submit.time"] = strconv.FormatInt(req.Now.UnixMilli(), 10)
		if cfg.IdleTimeout > 0 {
			confs["spark.kyuubi.session.engine.idle.timeout"] = "PT" + strconv.FormatInt(int64(cfg.IdleTimeout/time.Second), 10) + "S"
		}
		return kyuubiEngineClass, cfg.MainResource, nil, nil
	}
	return "", "", nil, &ErrConfig{fmt.Sprintf("kitsune.engine.spark.mode=%q: use thriftserver or kyuubi-engine", cfg.Mode)}
}

// identityArgs: a principal and keytab log the engine in as that principal
// (no impersonation); otherwise, with doAs, the engine runs as the user.
func identityArgs(confs map[string]string, cfg Config, user string) []string {
	principal, keytab := confs["spark.kerberos.principal"], confs["spark.kerberos.keytab"]
	switch {
	case principal != "" && keytab != "":
		delete(confs, "spark.kerberos.principal")
		delete(confs, "spark.kerberos.keytab")
		return []string{"--principal", principal, "--keytab", keytab}
	case cfg.DoAs:
		return []string{"--proxy-user", user}
	}
	return nil
}

// engineConfs keeps what may reach an engine: spark.* as is, other
// non-server keys under spark.; never server-only kitsune keys, hive
// variables, session plumbing or credentials.
func engineConfs(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		name := conf.Canonical(strings.TrimPrefix(k, "set:hiveconf:"))
		switch {
		case strings.HasPrefix(k, "set:hivevar:"), k == "use:database", strings.HasPrefix(name, "kitsune.engineEnv."),
			name == "hive.server2.proxy.user", name == conf.KeyProxyUser, name == conf.KeySessionDetached:
			continue
		case strings.HasPrefix(name, "spark."):
			out[name] = v
		case strings.HasPrefix(name, "kitsune."):
			if key, ok := conf.Lookup(name); ok && key.Scope != conf.ScopeServer {
				out["spark."+name] = v
			}
		case strings.Contains(strings.ToLower(name), "password") || strings.Contains(strings.ToLower(name), "secret"):
			continue
		default:
			out["spark."+name] = v
		}
	}
	return out
}
