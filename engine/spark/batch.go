package spark

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/kitsune-sql/kitsune/conf"
)

// BatchRequest is one batch job's spark-submit (POST /api/v1/batches).
type BatchRequest struct {
	// ID tags the application (spark.yarn.tags, the Kubernetes driver
	// label) so that it can be found and killed again.
	ID, User, Name string
	// Class is the main class (empty for PYSPARK); Resource the jar or .py.
	Class, Resource string
	Profile         conf.Profile
	// Confs are the batch's effective confs (server < group < user <
	// batch), filtered as an engine's are.
	Confs map[string]string
	Args  []string
}

// BuildBatch is the spark-submit command line of a batch job: the same
// cluster, profile (queue, cores, memory), identity (--proxy-user or
// principal and keytab) and tags as an engine's launch.
func BuildBatch(cfg Config, req BatchRequest) (Command, error) {
	if cfg.SparkHome == "" {
		return Command{}, &ErrConfig{"no Spark: set kitsune.engineEnv.SPARK_HOME (or SPARK_HOME in the gateway's environment)"}
	}
	if req.Resource == "" {
		return Command{}, &ErrConfig{"the batch names no resource: set resource to the application jar or Python file"}
	}
	confs := engineConfs(req.Confs)
	cl := clusterOf(confs)
	profileConfs(confs, cfg, cl, req.Profile)
	if req.Name != "" {
		confs["spark.app.name"] = req.Name
	}
	if _, ok := confs["spark.app.name"]; !ok {
		confs["spark.app.name"] = fmt.Sprintf("kitsune_BATCH_%s_%s", req.User, req.ID)
	}
	findableConfs(confs, cl, Request{RefID: req.ID})
	var args []string
	if req.Class != "" {
		args = append(args, "--class", req.Class)
	}
	args = append(args, "--master", cl.master, "--deploy-mode", cl.deployMode)
	args = append(args, identityArgs(confs, cfg, req.User)...)
	for _, k := range slices.Sorted(maps.Keys(confs)) {
		args = append(args, "--conf", k+"="+confs[k])
	}
	args = append(args, req.Resource)
	args = append(args, req.Args...)
	env := make([]string, 0, len(cfg.Env))
	for _, k := range slices.Sorted(maps.Keys(cfg.Env)) {
		env = append(env, k+"="+cfg.Env[k])
	}
	return Command{Path: filepath.Join(cfg.SparkHome, "bin", "spark-submit"), Args: args, Env: env}, nil
}
