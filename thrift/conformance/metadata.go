package conformance

import (
	"strings"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// The result columns of the metadata calls, as HiveServer2 (and Spark's
// Thrift server) define them after JDBC's DatabaseMetaData: names, order
// and types.
var (
	str      = tcli.TTypeId_STRING_TYPE
	i32      = tcli.TTypeId_INT_TYPE
	i16      = tcli.TTypeId_SMALLINT_TYPE
	i8       = tcli.TTypeId_TINYINT_TYPE
	boolean  = tcli.TTypeId_BOOLEAN_TYPE
	catalogs = []col{{"TABLE_CAT", str}}
	schemas  = []col{{"TABLE_SCHEM", str}, {"TABLE_CATALOG", str}}
	tables   = []col{{"TABLE_CAT", str}, {"TABLE_SCHEM", str}, {"TABLE_NAME", str}, {"TABLE_TYPE", str}, {"REMARKS", str},
		{"TYPE_CAT", str}, {"TYPE_SCHEM", str}, {"TYPE_NAME", str}, {"SELF_REFERENCING_COL_NAME", str}, {"REF_GENERATION", str}}
	tableTypes = []col{{"TABLE_TYPE", str}}
	columns    = []col{{"TABLE_CAT", str}, {"TABLE_SCHEM", str}, {"TABLE_NAME", str}, {"COLUMN_NAME", str}, {"DATA_TYPE", i32},
		{"TYPE_NAME", str}, {"COLUMN_SIZE", i32}, {"BUFFER_LENGTH", i8}, {"DECIMAL_DIGITS", i32}, {"NUM_PREC_RADIX", i32},
		{"NULLABLE", i32}, {"REMARKS", str}, {"COLUMN_DEF", str}, {"SQL_DATA_TYPE", i32}, {"SQL_DATETIME_SUB", i32},
		{"CHAR_OCTET_LENGTH", i32}, {"ORDINAL_POSITION", i32}, {"IS_NULLABLE", str}, {"SCOPE_CATALOG", str}, {"SCOPE_SCHEMA", str},
		{"SCOPE_TABLE", str}, {"SOURCE_DATA_TYPE", i16}, {"IS_AUTO_INCREMENT", str}}
	typeInfo = []col{{"TYPE_NAME", str}, {"DATA_TYPE", i32}, {"PRECISION", i32}, {"LITERAL_PREFIX", str}, {"LITERAL_SUFFIX", str},
		{"CREATE_PARAMS", str}, {"NULLABLE", i16}, {"CASE_SENSITIVE", boolean}, {"SEARCHABLE", i16}, {"UNSIGNED_ATTRIBUTE", boolean},
		{"FIXED_PREC_SCALE", boolean}, {"AUTO_INCREMENT", boolean}, {"LOCAL_TYPE_NAME", str}, {"MINIMUM_SCALE", i16},
		{"MAXIMUM_SCALE", i16}, {"SQL_DATA_TYPE", i32}, {"SQL_DATETIME_SUB", i32}, {"NUM_PREC_RADIX", i32}}
	functions   = []col{{"FUNCTION_CAT", str}, {"FUNCTION_SCHEM", str}, {"FUNCTION_NAME", str}, {"REMARKS", str}, {"FUNCTION_TYPE", i32}, {"SPECIFIC_NAME", str}}
	primaryKeys = []col{{"TABLE_CAT", str}, {"TABLE_SCHEM", str}, {"TABLE_NAME", str}, {"COLUMN_NAME", str}, {"KEY_SEQ", i32}, {"PK_NAME", str}}
	crossRef    = []col{{"PKTABLE_CAT", str}, {"PKTABLE_SCHEM", str}, {"PKTABLE_NAME", str}, {"PKCOLUMN_NAME", str}, {"FKTABLE_CAT", str},
		{"FKTABLE_SCHEM", str}, {"FKTABLE_NAME", str}, {"FKCOLUMN_NAME", str}, {"KEY_SEQ", i32}, {"UPDATE_RULE", i32}, {"DELETE_RULE", i32},
		{"FK_NAME", str}, {"PK_NAME", str}, {"DEFERRABILITY", i32}}
)

type col struct {
	name string
	typ  tcli.TTypeId
}

// metaResult checks a metadata call's reply, schema and rows.
func (s *sess) metaResult(t *testing.T, call string, st *tcli.TStatus, oh *tcli.TOperationHandle, typ tcli.TOperationType, want []col) [][]string {
	t.Helper()
	if st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("%s: %v", call, st)
	}
	// Every metadata call answers a table: the handle says so at once.
	if !oh.HasResultSet || oh.OperationType != typ || !isUUID4(oh.OperationId.GetGUID()) {
		t.Errorf("%s: handle %v", call, oh)
	}
	if os := s.wait(t, oh); os.GetOperationState() != tcli.TOperationState_FINISHED_STATE || !os.GetHasResultSet() {
		t.Errorf("%s: status %s hasResultSet %v", call, os.GetOperationState(), os.GetHasResultSet())
	}
	md := s.schema(t, oh)
	var got []string
	for _, c := range md.Schema.Columns {
		got = append(got, c.ColumnName+":"+typeOf(c).Type.String())
	}
	var exp []string
	for _, c := range want {
		exp = append(exp, c.name+":"+c.typ.String())
	}
	if strings.Join(got, ",") != strings.Join(exp, ",") {
		t.Errorf("%s columns:\n got  %v\n want %v", call, got, exp)
	}
	rows := s.fetchAll(t, oh, 1000)
	s.close(t, oh)
	return rows
}

func names(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[i])
	}
	return out
}

func checkMetadata(t *testing.T, s *sess) {
	a, b := s.prefix+"_ab", s.prefix+"xab"
	for _, q := range []string{"DROP TABLE IF EXISTS " + a, "DROP TABLE IF EXISTS " + b,
		"CREATE TABLE " + a + " (id INT, price DECIMAL(12,3))", "CREATE TABLE " + b + " (id BIGINT)"} {
		s.close(t, s.exec(t, q, false))
	}
	ptr := func(v string) *tcli.TPatternOrIdentifier { p := tcli.TPatternOrIdentifier(v); return &p }
	id := func(v string) *tcli.TIdentifier { p := tcli.TIdentifier(v); return &p }

	r1, err := s.c.GetCatalogs(bg, &tcli.TGetCatalogsReq{SessionHandle: s.h})
	if err != nil {
		t.Fatal(err)
	}
	if rows := s.metaResult(t, "GetCatalogs", r1.Status, r1.OperationHandle, tcli.TOperationType_GET_CATALOGS, catalogs); len(rows) == 0 {
		t.Error("GetCatalogs: no catalog")
	}
	r2, _ := s.c.GetSchemas(bg, &tcli.TGetSchemasReq{SessionHandle: s.h})
	if rows := s.metaResult(t, "GetSchemas", r2.Status, r2.OperationHandle, tcli.TOperationType_GET_SCHEMAS, schemas); !strings.Contains(strings.Join(names(rows, 0), ","), "default") {
		t.Errorf("GetSchemas: %v", rows)
	}
	// Patterns match Spark's names: default, not the engine's own.
	rs, _ := s.c.GetSchemas(bg, &tcli.TGetSchemasReq{SessionHandle: s.h, SchemaName: ptr("def%")})
	if rows := s.metaResult(t, "GetSchemas def%", rs.Status, rs.OperationHandle, tcli.TOperationType_GET_SCHEMAS, schemas); len(rows) != 1 || rows[0][0] != "default" {
		t.Errorf("GetSchemas def%%: %v", rows)
	}
	// % and _ are wildcards, \ escapes them, null means all.
	for _, c := range []struct {
		pattern *tcli.TPatternOrIdentifier
		want    []string
	}{{ptr(s.prefix + `\_ab`), []string{a}}, {ptr(s.prefix + "_ab"), []string{a, b}}, {ptr(s.prefix + "%ab"), []string{a, b}}} {
		r, _ := s.c.GetTables(bg, &tcli.TGetTablesReq{SessionHandle: s.h, SchemaName: ptr("default"), TableName: c.pattern})
		rows := s.metaResult(t, "GetTables", r.Status, r.OperationHandle, tcli.TOperationType_GET_TABLES, tables)
		if got := strings.Join(names(rows, 2), ","); got != strings.Join(c.want, ",") {
			t.Errorf("GetTables %q: %s, want %v", string(*c.pattern), got, c.want)
		}
	}
	r3, _ := s.c.GetTables(bg, &tcli.TGetTablesReq{SessionHandle: s.h, TableTypes: []string{"VIEW"}, TableName: ptr(s.prefix + "%")})
	if rows := s.metaResult(t, "GetTables VIEW", r3.Status, r3.OperationHandle, tcli.TOperationType_GET_TABLES, tables); len(rows) != 0 {
		t.Errorf("GetTables of type VIEW: %v", rows)
	}
	r4, _ := s.c.GetTableTypes(bg, &tcli.TGetTableTypesReq{SessionHandle: s.h})
	s.metaResult(t, "GetTableTypes", r4.Status, r4.OperationHandle, tcli.TOperationType_GET_TABLE_TYPES, tableTypes)
	r5, _ := s.c.GetColumns(bg, &tcli.TGetColumnsReq{SessionHandle: s.h, SchemaName: ptr("default"), TableName: ptr(s.prefix + `\_ab`)})
	rows := s.metaResult(t, "GetColumns", r5.Status, r5.OperationHandle, tcli.TOperationType_GET_COLUMNS, columns)
	// DATA_TYPE is java.sql.Types; DECIMAL's size and digits are its
	// precision and scale; positions count from 1.
	if len(rows) != 2 || rows[0][3] != "id" || rows[0][4] != "4" || rows[1][3] != "price" || rows[1][4] != "3" ||
		rows[1][6] != "12" || rows[1][8] != "3" || rows[1][16] != "2" {
		t.Errorf("GetColumns rows: %v", rows)
	}
	r6, _ := s.c.GetTypeInfo(bg, &tcli.TGetTypeInfoReq{SessionHandle: s.h})
	if rows := s.metaResult(t, "GetTypeInfo", r6.Status, r6.OperationHandle, tcli.TOperationType_GET_TYPE_INFO, typeInfo); len(rows) < 10 {
		t.Errorf("GetTypeInfo: %d types", len(rows))
	}
	r7, _ := s.c.GetFunctions(bg, &tcli.TGetFunctionsReq{SessionHandle: s.h, FunctionName: "nvl%"})
	if rows := s.metaResult(t, "GetFunctions", r7.Status, r7.OperationHandle, tcli.TOperationType_GET_FUNCTIONS, functions); !strings.Contains(strings.Join(names(rows, 2), ","), "nvl") {
		t.Errorf("GetFunctions nvl%%: %v", rows)
	}
	// HiveServer2 runs both key calls as GET_FUNCTIONS operations.
	r8, _ := s.c.GetPrimaryKeys(bg, &tcli.TGetPrimaryKeysReq{SessionHandle: s.h, SchemaName: id("default"), TableName: id(a)})
	s.metaResult(t, "GetPrimaryKeys", r8.Status, r8.OperationHandle, tcli.TOperationType_GET_FUNCTIONS, primaryKeys)
	r9, _ := s.c.GetCrossReference(bg, &tcli.TGetCrossReferenceReq{SessionHandle: s.h, ParentTableName: id(a), ForeignTableName: id(b)})
	s.metaResult(t, "GetCrossReference", r9.Status, r9.OperationHandle, tcli.TOperationType_GET_FUNCTIONS, crossRef)
}

// checkInfo: the DBMS is Spark SQL at the Spark version the engine follows
// (Spark's Thrift server's answer), the three name lengths are 128, and an
// info type HiveServer2 does not answer is an error.
func checkInfo(t *testing.T, s *sess) {
	get := func(typ tcli.TGetInfoType) *tcli.TGetInfoResp {
		r, err := s.c.GetInfo(bg, &tcli.TGetInfoReq{SessionHandle: s.h, InfoType: typ})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := get(tcli.TGetInfoType_CLI_DBMS_NAME); r.InfoValue.GetStringValue() != "Spark SQL" {
		t.Errorf("CLI_DBMS_NAME: %v", r)
	}
	if r := get(tcli.TGetInfoType_CLI_DBMS_VER); !strings.HasPrefix(r.InfoValue.GetStringValue(), "4.") {
		t.Errorf("CLI_DBMS_VER: %v", r)
	}
	if r := get(tcli.TGetInfoType_CLI_SERVER_NAME); r.InfoValue.GetStringValue() != "kitsune" {
		t.Errorf("CLI_SERVER_NAME: %v", r)
	}
	if r := get(tcli.TGetInfoType_CLI_MAX_COLUMN_NAME_LEN); r.InfoValue.GetLenValue() != 128 {
		t.Errorf("CLI_MAX_COLUMN_NAME_LEN: %v", r)
	}
	if r := get(tcli.TGetInfoType_CLI_USER_NAME); r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS {
		t.Errorf("CLI_USER_NAME: %v, want an error as from HiveServer2", r.Status)
	}
	// SET -v has Spark's columns.
	oh := s.exec(t, "SET -v", false)
	md := s.schema(t, oh)
	s.close(t, oh)
	var cols []string
	for _, c := range md.Schema.Columns {
		cols = append(cols, c.ColumnName)
	}
	if strings.Join(cols, ",") != "key,value,meaning,Since version" {
		t.Errorf("SET -v columns: %v", cols)
	}
}
