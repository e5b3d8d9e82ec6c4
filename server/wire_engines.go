package server

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/engine"
	"github.com/kitsune-sql/kitsune/engine/spark"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// buildPool builds the engine launcher (local or spark-submit) and the pool
// that caches engines.
func buildPool(cfg *conf.Config, exe, workDir, secret string, ha *haParts, groups auth.GroupProvider, az *authzParts, obs *observer, lg *zap.Logger) (*engine.Pool, error) {
	var space func(tenancy.Key) string
	if ha.registry != nil {
		space = ha.space
	}
	engineIdle := cfg.EngineIdleTimeout + time.Minute // a safety net behind the pool's own stop
	if ha.registry != nil {
		engineIdle = cfg.EngineIdleTimeout // shared engines stop themselves
	}
	if cfg.Engines.RunAsUser && os.Geteuid() != 0 {
		return nil, fmt.Errorf("kitsune.engine.local.run.as.user needs the gateway to run as root (it runs as uid %d)", os.Geteuid())
	}
	shared, err := sharedFor(cfg.Engines.Shared, groups)
	if err != nil {
		return nil, err
	}
	var launcher engine.Launcher
	if cfg.EngineType == "SPARK_SQL" {
		if launcher, err = sparkLauncher(cfg, workDir, secret, ha, az, lg); err != nil {
			return nil, err
		}
	} else {
		confs := maps.Clone(cfg.Engines.Forwarded)
		maps.Copy(confs, az.enginePairs())
		launcher = engine.NewLocalLauncher(engine.LocalConfig{Executable: exe, WorkDir: workDir, Secret: secret,
			InitTimeout: cfg.EngineInitTimeout, IdleTimeout: engineIdle, Confs: confs,
			HAAddresses: ha.addresses, Space: space, HADigest: ha.digest, HAClass: ha.class, HATLS: ha.tls, RunAsUser: cfg.Engines.RunAsUser,
			Shared: shared}, lg)
	}
	queues, err := engine.ParseQueues(cfg.Engines.LocalQueues, cfg.Engines.QueueWait)
	if err != nil {
		return nil, err
	}
	if queues != nil {
		queues.Waited = obs.m.QueueWaited
	}
	pcfg := engine.PoolConfig{IdleTimeout: cfg.EngineIdleTimeout, CheckInterval: cfg.CheckInterval, RetiredWait: cfg.EngineInitTimeout, Observer: obs,
		MaxLaunches: cfg.Engines.MaxConcurrentLaunches, Queues: queues}
	if ha.registry != nil {
		pcfg.Registry, pcfg.Spaces, pcfg.Secret = ha.registry, ha.spaces, secret
	}
	return engine.NewPool(pcfg, launcher, lg), nil
}

// sparkConfig is the admin's Spark setup, for engines and batches alike.
func sparkConfig(cfg *conf.Config, ha *haParts) spark.Config {
	env := cfg.Engines.Env
	home := env["SPARK_HOME"]
	if home == "" {
		home = os.Getenv("SPARK_HOME")
	}
	return spark.Config{
		SparkHome:    home,
		Mode:         cfg.Engines.Spark.Mode,
		MainResource: cfg.Engines.Spark.MainResource,
		DoAs:         cfg.Engines.Spark.DoAs,
		K8sQueueKey:  cfg.Engines.Spark.K8sQueueKey,
		BindHost:     cfg.Engines.Spark.BindHost,
		HAAddresses:  ha.addresses,
		IdleTimeout:  cfg.EngineIdleTimeout,
		Env:          env,
	}
}

// sparkLauncher builds the spark-submit launcher from the configuration.
func sparkLauncher(cfg *conf.Config, workDir, secret string, ha *haParts, az *authzParts, lg *zap.Logger) (engine.Launcher, error) {
	sc := sparkConfig(cfg, ha)
	if az.path != "" {
		a, err := spark.WriteRangerConf(filepath.Join(workDir, "authz", "spark"), cfg.Authorization.ServiceName, cfg.Authorization.RangerURL, az.path)
		if err != nil {
			return nil, err
		}
		sc.Authz = &a
	}
	lc := spark.LauncherConfig{Spark: sc, WorkDir: workDir, InitTimeout: cfg.EngineInitTimeout, Secret: secret,
		KillCommand: cfg.Engines.Spark.KillCommand}
	if ha.registry != nil {
		lc.Space = ha.space
		lc.Registered = func(ctx context.Context, sp, refID string) string {
			es, _ := ha.registry.Engines(ctx, sp)
			for _, e := range es {
				if e.RefID == refID {
					return e.Addr
				}
			}
			return ""
		}
	}
	return spark.NewLauncher(lc, lg), nil
}

// sharedFor checks the shared locations and returns who may reach which:
// a key's engine gets the locations its user (or, for a GROUP engine, its
// group) is named in, writable where the write lists name it.
func sharedFor(locs map[string]conf.SharedLocation, groups auth.GroupProvider) (func(tenancy.Key) []engine.Shared, error) {
	for name, l := range locs {
		key := "kitsune.engine.local.shared." + name
		switch {
		case !filepath.IsAbs(l.Path):
			return nil, fmt.Errorf("%s.path=%q: a shared location needs an absolute path", key, l.Path)
		case l.Format != "files" && l.Format != "parquet" && l.Format != "duckdb":
			return nil, fmt.Errorf("%s.format=%s: use files, parquet or duckdb", key, l.Format)
		case strings.ContainsAny(name, " \\\"'.") || name == "":
			return nil, fmt.Errorf("%s: a shared location's name is a plain identifier", key)
		}
	}
	names := slices.Sorted(maps.Keys(locs))
	return func(k tenancy.Key) []engine.Shared {
		mine := append([]string{k.User}, groups.Groups(k.User)...)
		named := func(users, grps []string) bool {
			return slices.Contains(users, "*") || slices.Contains(users, k.User) || slices.ContainsFunc(mine[1:], func(g string) bool { return slices.Contains(grps, g) }) ||
				(k.ShareLevel == "GROUP" && slices.Contains(grps, k.User))
		}
		var out []engine.Shared
		for _, name := range names {
			l := locs[name]
			write := l.Format == "files" && named(l.WriteUsers, l.WriteGroups)
			if write || named(l.Users, l.Groups) {
				out = append(out, engine.Shared{Name: name, Format: l.Format, Path: l.Path, Write: write})
			}
		}
		return out
	}, nil
}
