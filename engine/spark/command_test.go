package spark

import (
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

func TestBuildCommandLines(t *testing.T) {
	key := tenancy.Key{Type: "SPARK_SQL", ShareLevel: "USER", User: "alice", Subdomain: "default"}
	now := time.UnixMilli(1700000000000)
	ts := Config{SparkHome: "/opt/spark", Mode: ModeThriftServer, DoAs: true, BindHost: "10.0.0.5",
		K8sQueueKey: "spark.kubernetes.scheduler.name.queue", Env: map[string]string{"HADOOP_CONF_DIR": "/etc/hadoop", "JAVA_HOME": "/usr/lib/jvm"}}
	ky := ts
	ky.Mode, ky.MainResource = ModeKyuubiEngine, "/opt/kyuubi/kyuubi-spark-sql-engine.jar"
	ky.HAAddresses, ky.Space, ky.IdleTimeout = []string{"zk1:2181", "zk2:2181"}, "/kitsune_0.1.0_USER_SPARK_SQL/alice/default", 30*time.Minute
	profile := conf.Profile{Queue: "etl", Cores: 4, Memory: 8 << 30, Executors: 10}
	server := map[string]string{
		"kitsune.frontend.bind.host": "0.0.0.0", "kitsune.authentication": "NONE", "kitsune.metadata.store.url": "postgres://x",
		"kitsune.engine.security.secret": "s3cret", "set:hivevar:day": "1", "use:database": "db",
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		confs map[string]string
		prof  conf.Profile
		want  string
	}{
		{"yarn client with profile", ts, map[string]string{"spark.master": "yarn"}, profile,
			"/opt/spark/bin/spark-submit --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 --master yarn --deploy-mode client --proxy-user alice " +
				"--conf spark.app.name=kitsune_USER_alice_default_r1 --conf spark.executor.cores=4 --conf spark.executor.instances=10 " +
				"--conf spark.executor.memory=8g --conf spark.yarn.maxAppAttempts=1 --conf spark.yarn.queue=etl --conf spark.yarn.tags=KITSUNE,r1 " +
				"spark-internal --hiveconf hive.server2.thrift.port=20000 --hiveconf hive.server2.thrift.bind.host=10.0.0.5"},
		{"yarn cluster kyuubi engine", ky, map[string]string{"spark.master": "yarn", "spark.submit.deployMode": "cluster", "spark.yarn.maxAppAttempts": "2"}, conf.Profile{},
			"/opt/spark/bin/spark-submit --class org.apache.kyuubi.engine.spark.SparkSQLEngine --master yarn --deploy-mode cluster --proxy-user alice " +
				"--conf spark.app.name=kitsune_USER_alice_default_r1 --conf spark.kyuubi.engine.submit.time=1700000000000 " +
				"--conf spark.kyuubi.ha.addresses=zk1:2181,zk2:2181 --conf spark.kyuubi.ha.engine.ref.id=r1 " +
				"--conf spark.kyuubi.ha.namespace=/kitsune_0.1.0_USER_SPARK_SQL/alice/default --conf spark.kyuubi.session.engine.idle.timeout=PT1800S " +
				"--conf spark.yarn.maxAppAttempts=2 --conf spark.yarn.tags=KITSUNE,r1 /opt/kyuubi/kyuubi-spark-sql-engine.jar"},
		{"kubernetes with queue label", ky, map[string]string{"spark.master": "k8s://https://k8s:6443", "spark.submit.deployMode": "cluster"}, conf.Profile{Queue: "etl"},
			"--master k8s://https://k8s:6443 --deploy-mode cluster --proxy-user alice --conf spark.app.name=kitsune_USER_alice_default_r1 " +
				"--conf spark.kubernetes.driver.label.kitsune-unique-tag=r1 --conf spark.kubernetes.scheduler.name.queue=etl"},
		{"standalone cores.max", ts, map[string]string{"spark.master": "spark://m:7077"}, conf.Profile{Cores: 2, Executors: 3},
			"--master spark://m:7077 --deploy-mode client --proxy-user alice --conf spark.app.name=kitsune_USER_alice_default_r1 --conf spark.cores.max=6 " +
				"--conf spark.executor.cores=2 --conf spark.executor.instances=3 spark-internal"},
		{"local without doAs", Config{SparkHome: "/opt/spark", Mode: ModeThriftServer, BindHost: "127.0.0.1"}, map[string]string{"spark.master": "local[2]", "spark.sql.shuffle.partitions": "8"}, conf.Profile{},
			"--master local[2] --deploy-mode client --conf spark.app.name=kitsune_USER_alice_default_r1 --conf spark.sql.shuffle.partitions=8 spark-internal"},
		{"keytab instead of proxy user", ts, map[string]string{"spark.master": "yarn", "spark.kerberos.principal": "alice@EX", "spark.kerberos.keytab": "/k/alice.keytab"}, conf.Profile{},
			"--deploy-mode client --principal alice@EX --keytab /k/alice.keytab --conf spark.app.name="},
		{"dynamic allocation", ts, map[string]string{"spark.master": "yarn", "spark.dynamicAllocation.enabled": "true", "spark.app.name": "mine"}, conf.Profile{Executors: 5},
			"--conf spark.app.name=mine --conf spark.dynamicAllocation.enabled=true --conf spark.dynamicAllocation.maxExecutors=5"},
		{"kitsune and hive keys under spark.", ts, map[string]string{"kitsune.operation.query.timeout": "PT1M", "hive.exec.dynamic.partition": "true"}, conf.Profile{},
			"--conf spark.hive.exec.dynamic.partition=true --conf spark.kitsune.operation.query.timeout=PT1M"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			confs := map[string]string{}
			for k, v := range server {
				confs[k] = v
			}
			for k, v := range tc.confs {
				confs[k] = v
			}
			cmd, err := Build(tc.cfg, Request{Key: key, Profile: tc.prof, RefID: "r1", Confs: confs, Port: 20000, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			line := cmd.Path + " " + strings.Join(cmd.Args, " ")
			if !strings.Contains(line, tc.want) {
				t.Errorf("command line\n%s\nwant it to contain\n%s", line, tc.want)
			}
			for _, leak := range []string{"bind.host=0.0.0.0", "authentication", "metadata.store", "s3cret", "hivevar", "use:database"} {
				if strings.Contains(line, leak) {
					t.Errorf("server-only or private setting %q reached spark-submit: %s", leak, line)
				}
			}
		})
	}
	cmd, _ := Build(ts, Request{Key: key, RefID: "r1", Confs: map[string]string{}, Port: 1, Now: now})
	if strings.Join(cmd.Env, " ") != "HADOOP_CONF_DIR=/etc/hadoop JAVA_HOME=/usr/lib/jvm" {
		t.Errorf("env %v", cmd.Env)
	}
}

func TestBuildRefusals(t *testing.T) {
	key := tenancy.Key{ShareLevel: "USER", User: "bob", Subdomain: "default"}
	for _, tc := range []struct {
		cfg   Config
		confs map[string]string
		want  string
	}{
		{Config{SparkHome: "/s", Mode: ModeThriftServer}, map[string]string{"spark.submit.deployMode": "cluster"}, "client deploy mode only"},
		{Config{Mode: ModeThriftServer}, nil, "kitsune.engineEnv.SPARK_HOME"},
		{Config{SparkHome: "/s", Mode: ModeKyuubiEngine, HAAddresses: []string{"z:1"}}, nil, "kitsune.engine.spark.main.resource"},
		{Config{SparkHome: "/s", Mode: ModeKyuubiEngine, MainResource: "/j.jar"}, nil, "kitsune.ha.addresses"},
		{Config{SparkHome: "/s", Mode: "livy"}, nil, "kitsune.engine.spark.mode"},
	} {
		_, err := Build(tc.cfg, Request{Key: key, RefID: "r", Confs: tc.confs})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
