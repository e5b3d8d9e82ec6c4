package serve

import (
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Identity is what GetInfo says a server is. The server name is always
// kitsune's (the software the client talks to); the DBMS is what runs the
// SQL: "Spark SQL" and the Spark version for the local engine, as Spark's
// Thrift server answers, or kitsune itself when the gateway answers for
// itself (kitsune.server.info.provider=SERVER, for drivers that refuse a
// Spark server, such as the Simba-based Hive drivers).
type Identity struct {
	DBMS    string
	Version string
}

// ServerName is CLI_SERVER_NAME on every path.
const ServerName = "kitsune"

// odbcKeywords are Spark SQL's keywords beyond ODBC's list (CLI_ODBC_KEYWORDS).
const odbcKeywords = "ANTI,ARRAY,BUCKET,BUCKETS,CACHE,CLUSTER,CLUSTERED,CODEGEN,COLLECTION,COLUMNS,COMMENT,COMPACT," +
	"COMPACTIONS,COMPUTE,CONCATENATE,COST,DATA,DATABASE,DATABASES,DBPROPERTIES,DEFINED,DELIMITED,DFS,DIRECTORIES," +
	"DIRECTORY,DISTRIBUTE,DIV,ESCAPED,EXCHANGE,EXPLAIN,EXPORT,EXTENDED,FIELDS,FILEFORMAT,FORMAT,FORMATTED,FUNCTIONS," +
	"IF,ILIKE,IMPORT,INDEX,INDEXES,INPATH,INPUTFORMAT,ITEMS,KEYS,LATERAL,LAZY,LIMIT,LINES,LIST,LOAD,LOCATION,LOCK,LOCKS," +
	"LOGICAL,MACRO,MAP,MSCK,NAMESPACE,NAMESPACES,OPTIONS,OUTPUTFORMAT,OVERWRITE,PARTITIONED,PARTITIONS,PERCENT,PIVOT," +
	"PRINCIPALS,PROPERTIES,PURGE,QUERY,RECORDREADER,RECORDWRITER,RECOVER,REDUCE,REFRESH,RENAME,REPAIR,REPLACE,RESET," +
	"RESPECT,RLIKE,ROLE,ROLES,SCHEMA,SEMI,SERDE,SERDEPROPERTIES,SETS,SHOW,SKEWED,SORT,SORTED,STATISTICS,STORED,STRATIFY," +
	"STRUCT,SYNC,TABLES,TABLESAMPLE,TBLPROPERTIES,TEMPORARY,TERMINATED,TOUCH,TRANSACTION,TRANSACTIONS,TRANSFORM,TRUNCATE," +
	"UNARCHIVE,UNBOUNDED,UNCACHE,UNLOCK,UNSET,USE"

// Info answers GetInfo as HiveServer2 and Spark's Thrift server do: server
// and DBMS name, DBMS version, ODBC keywords and the three name lengths
// (128, as a length value); any other type is an error, as in HiveServer2
// ("Unrecognized GetInfoType value"), so that a client falls back to its
// own default instead of trusting an empty answer.
func Info(t tcli.TGetInfoType, id Identity) (*tcli.TGetInfoValue, error) {
	str := func(v string) *tcli.TGetInfoValue { return &tcli.TGetInfoValue{StringValue: &v} }
	switch t {
	case tcli.TGetInfoType_CLI_SERVER_NAME:
		return str(ServerName), nil
	case tcli.TGetInfoType_CLI_DBMS_NAME:
		return str(id.DBMS), nil
	case tcli.TGetInfoType_CLI_DBMS_VER:
		return str(id.Version), nil
	case tcli.TGetInfoType_CLI_ODBC_KEYWORDS:
		return str(odbcKeywords), nil
	case tcli.TGetInfoType_CLI_MAX_COLUMN_NAME_LEN, tcli.TGetInfoType_CLI_MAX_SCHEMA_NAME_LEN, tcli.TGetInfoType_CLI_MAX_TABLE_NAME_LEN:
		n := int64(128)
		return &tcli.TGetInfoValue{LenValue: &n}, nil
	}
	return nil, status.Errorf(StateInfoType, 0, "Unrecognized GetInfoType value: %s", t)
}

// StateInfoType is ODBC's SQLSTATE for an information type out of range.
const StateInfoType = "HY096"
