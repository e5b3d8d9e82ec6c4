package duckdb

import "sort"

// SparkVersion is the Spark release whose SQL the local engine follows; it
// answers GetInfo(CLI_DBMS_VER) as Spark's Thrift server answers its own.
const SparkVersion = "4.1.0"

// sparkConf is one of Spark's SQL settings as SET -v lists it.
type sparkConf struct {
	key, def, meaning, since string
}

// sparkConfs are the Spark SQL settings SET -v lists (BI drivers, the
// Simba Spark driver among them, read them at connect time). Values set in
// the session or the engine's configuration replace the defaults.
var sparkConfs = []sparkConf{
	{"spark.sql.adaptive.enabled", "true", "Re-optimizes a query between stages from runtime statistics.", "1.6.0"},
	{"spark.sql.ansi.enabled", "true", "ANSI SQL semantics: overflow and invalid casts raise errors instead of returning NULL.", "3.0.0"},
	{"spark.sql.autoBroadcastJoinThreshold", "10MB", "Largest table size broadcast to every executor in a join; -1 disables broadcasting.", "1.1.0"},
	{"spark.sql.caseSensitive", "false", "Whether identifiers are case sensitive.", "1.4.0"},
	{"spark.sql.catalog.spark_catalog", "<undefined>", "The implementation of the session catalog.", "3.0.0"},
	{"spark.sql.cbo.enabled", "false", "Cost-based optimization from table and column statistics.", "2.2.0"},
	{"spark.sql.crossJoin.enabled", "true", "Allows cartesian products without an explicit CROSS JOIN.", "2.0.0"},
	{"spark.sql.datetime.java8API.enabled", "false", "Returns java.time types for DATE and TIMESTAMP values.", "3.0.0"},
	{"spark.sql.defaultCatalog", "spark_catalog", "The catalog used when a name does not give one.", "3.0.0"},
	{"spark.sql.files.maxPartitionBytes", "128MB", "Largest number of bytes packed into one partition when reading files.", "2.0.0"},
	{"spark.sql.hive.convertMetastoreParquet", "true", "Reads metastore Parquet tables with the built-in reader.", "1.1.1"},
	{"spark.sql.legacy.timeParserPolicy", "CORRECTED", "How dates and timestamps are parsed and formatted: EXCEPTION, LEGACY or CORRECTED.", "3.0.0"},
	{"spark.sql.maxPlanStringLength", "2147483632", "Longest plan text printed by EXPLAIN.", "3.0.0"},
	{"spark.sql.optimizer.excludedRules", "<undefined>", "Optimizer rules turned off, comma separated.", "2.4.0"},
	{"spark.sql.orderByOrdinal", "true", "Integers in ORDER BY name output columns by position.", "2.0.0"},
	{"spark.sql.groupByOrdinal", "true", "Integers in GROUP BY name select-list columns by position.", "2.0.0"},
	{"spark.sql.parquet.compression.codec", "snappy", "Compression used when writing Parquet files.", "1.1.1"},
	{"spark.sql.session.timeZone", "<value of local timezone>", "The session's time zone for timestamps: a region id or an offset.", "2.2.0"},
	{"spark.sql.shuffle.partitions", "200", "Number of partitions used when shuffling data for joins and aggregations.", "1.1.0"},
	{"spark.sql.sources.default", "parquet", "Data source used when CREATE TABLE or a read names none.", "1.3.0"},
	{"spark.sql.storeAssignmentPolicy", "ANSI", "Type coercion when inserting into a column of another type: ANSI, LEGACY or STRICT.", "3.0.0"},
	{"spark.sql.thriftServer.incrementalCollect", "false", "Fetches results from executors a partition at a time.", "2.0.3"},
	{"spark.sql.thriftserver.scheduler.pool", "<undefined>", "Fair-scheduler pool for the session's statements.", "1.1.1"},
	{"spark.sql.thriftServer.interruptOnCancel", "true", "Interrupts running tasks when a statement is canceled.", "3.2.0"},
	{"spark.sql.thriftServer.queryTimeout", "0ms", "Longest time a statement may run; 0 means no limit.", "3.1.0"},
	{"spark.sql.variable.substitute", "true", "Substitutes ${var}, ${hivevar:var} and ${hiveconf:var} in statements.", "2.0.0"},
	{"spark.sql.warehouse.dir", "spark-warehouse", "Default location of managed databases and tables.", "2.0.0"},
}

func sparkConfDefault(key string) (string, bool) {
	for _, c := range sparkConfs {
		if c.key == key && c.def != "<undefined>" {
			return c.def, true
		}
	}
	return "", false
}

// setVerbose answers SET -v as Spark does: key, value, meaning and the
// version that introduced the setting, sorted by key.
func (s *Service) setVerbose(ss *session) *resultSet {
	rows := make([][]string, 0, len(sparkConfs))
	for _, c := range sparkConfs {
		v, ok := s.confValue(ss, c.key)
		if !ok {
			v = c.def
		}
		rows = append(rows, []string{c.key, v, c.meaning, c.since})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	return stringTable([]string{"key", "value", "meaning", "Since version"}, rows)
}
