package duckdb

import (
	"context"
	"strings"

	"github.com/kitsune-sql/kitsune/authz"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// catalogName is the catalog Spark users know; the engine's DuckDB file is
// named after it so that DuckDB's current_database() agrees.
const catalogName = "spark_catalog"

// jdbcType is java.sql.Types for a HiveServer2 type.
func jdbcType(id tcli.TTypeId) int32 {
	switch id {
	case tcli.TTypeId_BOOLEAN_TYPE:
		return 16
	case tcli.TTypeId_TINYINT_TYPE:
		return -6
	case tcli.TTypeId_SMALLINT_TYPE:
		return 5
	case tcli.TTypeId_INT_TYPE:
		return 4
	case tcli.TTypeId_BIGINT_TYPE:
		return -5
	case tcli.TTypeId_FLOAT_TYPE:
		return 6
	case tcli.TTypeId_DOUBLE_TYPE:
		return 8
	case tcli.TTypeId_DECIMAL_TYPE:
		return 3
	case tcli.TTypeId_DATE_TYPE:
		return 91
	case tcli.TTypeId_TIMESTAMP_TYPE:
		return 93
	case tcli.TTypeId_BINARY_TYPE:
		return -2
	case tcli.TTypeId_ARRAY_TYPE:
		return 2003
	case tcli.TTypeId_STRUCT_TYPE:
		return 2002
	case tcli.TTypeId_MAP_TYPE:
		return 2000
	case tcli.TTypeId_NULL_TYPE:
		return 0
	case tcli.TTypeId_INTERVAL_DAY_TIME_TYPE, tcli.TTypeId_INTERVAL_YEAR_MONTH_TYPE, tcli.TTypeId_UNION_TYPE:
		return 1111
	}
	return 12
}

// table builds a result from column specs "NAME TYPE" (DuckDB type names)
// and rows of Go values.
func table(specs []string, rows [][]any) *resultSet {
	names := make([]string, len(specs))
	types := make([]colType, len(specs))
	for i, sp := range specs {
		name, typ, _ := strings.Cut(sp, " ")
		names[i], types[i] = name, typeOf(typ)
	}
	rs := newResultSet(names, types)
	for _, r := range rows {
		rs.appendRow(r)
	}
	return rs
}

// pattern turns a JDBC pattern (nil or "*" meaning all) into a LIKE
// pattern: % and _ are wildcards, \ escapes them (DatabaseMetaData's
// getSearchStringEscape), as in HiveServer2.
func pattern(p string) string {
	if p == "" || p == "*" {
		return "%"
	}
	return p
}

// tableVisible: a session's temporary table is its own (authorization's
// views are left out); any other table is listed when policies allow.
func (s *Service) tableVisible(ss *session, schema, table, temp any) bool {
	if temp == true {
		return !guardView(str(table))
	}
	return s.visible(ss, authz.Resource{Database: sparkSchema(str(schema)), Table: str(table)})
}

func sparkSchema(s string) string {
	if s == "main" {
		return "default"
	}
	return s
}

// meta runs a metadata call: fn computes the result on the session's
// connection; the operation is finished (or failed) when meta returns.
func (s *Service) meta(h *tcli.TSessionHandle, typ tcli.TOperationType, direct *tcli.TSparkGetDirectResults,
	fn func(ctx context.Context, ss *session) (*resultSet, error)) (*tcli.TStatus, *tcli.TOperationHandle, *tcli.TSparkDirectResults) {
	ss, err := s.session(h)
	if err != nil {
		return statusOf(err), nil, nil
	}
	op := s.newOperation(ss, typ, typ.String())
	op.handle.HasResultSet = true // every metadata call answers a table
	ss.exec.Lock()
	rs, err := fn(s.base, ss)
	ss.exec.Unlock()
	s.finished(op, rs, err)
	if err != nil {
		s.closeOperation(op)
		return status.From(sqlError(err)), nil, nil
	}
	return status.OK(), op.handle, s.directResults(op, direct)
}

func (s *Service) queryRows(ctx context.Context, ss *session, q string, args ...any) ([][]any, error) {
	rows, err := ss.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// GetCatalogs implements tcli.TCLIService.
func (s *Service) GetCatalogs(_ context.Context, req *tcli.TGetCatalogsReq) (*tcli.TGetCatalogsResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_CATALOGS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		return table([]string{"TABLE_CAT VARCHAR"}, [][]any{{catalogName}}), nil
	})
	return &tcli.TGetCatalogsResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetSchemas implements tcli.TCLIService.
func (s *Service) GetSchemas(_ context.Context, req *tcli.TGetSchemasReq) (*tcli.TGetSchemasResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_SCHEMAS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT DISTINCT schema_name FROM information_schema.schemata
			WHERE catalog_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog')
			AND CASE schema_name WHEN 'main' THEN 'default' ELSE schema_name END LIKE ? ESCAPE '\' ORDER BY 1`, pattern(string(req.GetSchemaName())))
		if err != nil {
			return nil, err
		}
		out := make([][]any, 0, len(rows))
		for _, r := range rows {
			if db := sparkSchema(r[0].(string)); s.visible(ss, authz.Resource{Database: db}) {
				out = append(out, []any{db, catalogName})
			}
		}
		return table([]string{"TABLE_SCHEM VARCHAR", "TABLE_CATALOG VARCHAR"}, out), nil
	})
	return &tcli.TGetSchemasResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetTables implements tcli.TCLIService.
func (s *Service) GetTables(_ context.Context, req *tcli.TGetTablesReq) (*tcli.TGetTablesResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_TABLES, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT table_schema, table_name,
			CASE table_type WHEN 'BASE TABLE' THEN 'TABLE' WHEN 'LOCAL TEMPORARY' THEN 'TABLE' ELSE table_type END, table_catalog = 'temp'
			FROM information_schema.tables
			WHERE table_catalog IN (current_database(), 'temp') AND CASE table_schema WHEN 'main' THEN 'default' ELSE table_schema END LIKE ? ESCAPE '\' AND table_name LIKE ? ESCAPE '\'
			ORDER BY 1, 2`, pattern(string(req.GetSchemaName())), pattern(string(req.GetTableName())))
		if err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, t := range req.GetTableTypes() {
			want[strings.ToUpper(t)] = true
		}
		var out [][]any
		for _, r := range rows {
			typ := r[2].(string)
			if len(want) > 0 && !want[typ] || !s.tableVisible(ss, r[0], r[1], r[3]) {
				continue
			}
			out = append(out, []any{catalogName, sparkSchema(r[0].(string)), r[1], typ, "", nil, nil, nil, nil, nil})
		}
		return table([]string{"TABLE_CAT VARCHAR", "TABLE_SCHEM VARCHAR", "TABLE_NAME VARCHAR", "TABLE_TYPE VARCHAR", "REMARKS VARCHAR",
			"TYPE_CAT VARCHAR", "TYPE_SCHEM VARCHAR", "TYPE_NAME VARCHAR", "SELF_REFERENCING_COL_NAME VARCHAR", "REF_GENERATION VARCHAR"}, out), nil
	})
	return &tcli.TGetTablesResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetTableTypes implements tcli.TCLIService.
func (s *Service) GetTableTypes(_ context.Context, req *tcli.TGetTableTypesReq) (*tcli.TGetTableTypesResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_TABLE_TYPES, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		return table([]string{"TABLE_TYPE VARCHAR"}, [][]any{{"TABLE"}, {"VIEW"}}), nil
	})
	return &tcli.TGetTableTypesResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetColumns implements tcli.TCLIService.
func (s *Service) GetColumns(_ context.Context, req *tcli.TGetColumnsReq) (*tcli.TGetColumnsResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_COLUMNS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT table_schema, table_name, column_name, data_type, ordinal_position, is_nullable, table_catalog = 'temp'
			FROM information_schema.columns
			WHERE table_catalog IN (current_database(), 'temp') AND CASE table_schema WHEN 'main' THEN 'default' ELSE table_schema END LIKE ? ESCAPE '\' AND table_name LIKE ? ESCAPE '\' AND column_name LIKE ? ESCAPE '\'
			ORDER BY 1, 2, 5`, pattern(string(req.GetSchemaName())), pattern(string(req.GetTableName())), pattern(string(req.GetColumnName())))
		if err != nil {
			return nil, err
		}
		out := make([][]any, 0, len(rows))
		for _, r := range rows {
			if !s.tableVisible(ss, r[0], r[1], r[6]) || (r[6] != true && !s.visible(ss, authz.Resource{Database: sparkSchema(str(r[0])), Table: str(r[1]), Column: str(r[2])})) {
				continue
			}
			ct := typeOf(r[3].(string))
			var size, digits any
			switch ct.id {
			case tcli.TTypeId_DECIMAL_TYPE:
				size, digits = ct.precision, ct.scale
			case tcli.TTypeId_INT_TYPE:
				size, digits = int32(10), int32(0)
			case tcli.TTypeId_BIGINT_TYPE:
				size, digits = int32(19), int32(0)
			case tcli.TTypeId_SMALLINT_TYPE:
				size, digits = int32(5), int32(0)
			case tcli.TTypeId_TINYINT_TYPE:
				size, digits = int32(3), int32(0)
			case tcli.TTypeId_DOUBLE_TYPE:
				size, digits = int32(15), int32(15)
			case tcli.TTypeId_FLOAT_TYPE:
				size, digits = int32(7), int32(7)
			case tcli.TTypeId_STRING_TYPE:
				size = int32(2147483647)
			}
			nullable := int32(1)
			if r[5] == "NO" {
				nullable = 0
			}
			// TYPE_NAME as Spark's Thrift server has it (DataType.sql: INT,
			// ARRAY<INT>), or HiveServer2's lower-case names in HIVE output.
			typeName := sparkSQLTypeName(r[3].(string))
			if s.cfg.HiveOutput {
				typeName = ct.sparkName
			}
			out = append(out, []any{catalogName, sparkSchema(r[0].(string)), r[1], r[2], jdbcType(ct.id), typeName,
				size, nil, digits, int32(10), nullable, "", nil, nil, nil, nil, int32(toInt64(r[4])), r[5], nil, nil, nil, nil, "NO"})
		}
		return table([]string{"TABLE_CAT VARCHAR", "TABLE_SCHEM VARCHAR", "TABLE_NAME VARCHAR", "COLUMN_NAME VARCHAR",
			"DATA_TYPE INTEGER", "TYPE_NAME VARCHAR", "COLUMN_SIZE INTEGER", "BUFFER_LENGTH TINYINT", "DECIMAL_DIGITS INTEGER",
			"NUM_PREC_RADIX INTEGER", "NULLABLE INTEGER", "REMARKS VARCHAR", "COLUMN_DEF VARCHAR", "SQL_DATA_TYPE INTEGER",
			"SQL_DATETIME_SUB INTEGER", "CHAR_OCTET_LENGTH INTEGER", "ORDINAL_POSITION INTEGER", "IS_NULLABLE VARCHAR",
			"SCOPE_CATALOG VARCHAR", "SCOPE_SCHEMA VARCHAR", "SCOPE_TABLE VARCHAR", "SOURCE_DATA_TYPE SMALLINT", "IS_AUTO_INCREMENT VARCHAR"}, out), nil
	})
	return &tcli.TGetColumnsResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetFunctions implements tcli.TCLIService.
func (s *Service) GetFunctions(_ context.Context, req *tcli.TGetFunctionsReq) (*tcli.TGetFunctionsResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_FUNCTIONS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT name, coalesce(first(descr), ''), first(kind) FROM (
			SELECT function_name AS name, description AS descr, function_type AS kind FROM duckdb_functions() WHERE database_name <> ?
			UNION ALL SELECT unnest(?::VARCHAR[]), NULL, 'scalar')
			WHERE name LIKE ? ESCAPE '\' GROUP BY name ORDER BY 1`,
			fnCatalog, sparkFunctionNames(), pattern(string(req.FunctionName)))
		if err != nil {
			return nil, err
		}
		out := make([][]any, len(rows))
		for i, r := range rows {
			kind := int32(1) // functionNoTable
			if r[2] == "table" || r[2] == "table_macro" {
				kind = 2
			}
			out[i] = []any{nil, nil, r[0], r[1], kind, r[0]}
		}
		return table([]string{"FUNCTION_CAT VARCHAR", "FUNCTION_SCHEM VARCHAR", "FUNCTION_NAME VARCHAR", "REMARKS VARCHAR",
			"FUNCTION_TYPE INTEGER", "SPECIFIC_NAME VARCHAR"}, out), nil
	})
	return &tcli.TGetFunctionsResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetPrimaryKeys implements tcli.TCLIService.
func (s *Service) GetPrimaryKeys(_ context.Context, req *tcli.TGetPrimaryKeysReq) (*tcli.TGetPrimaryKeysResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_FUNCTIONS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT schema_name, table_name, unnest(constraint_column_names), generate_subscripts(constraint_column_names, 1), constraint_name
			FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()
			AND CASE schema_name WHEN 'main' THEN 'default' ELSE schema_name END LIKE ? ESCAPE '\' AND table_name LIKE ? ESCAPE '\' ORDER BY 1, 2, 4`, pattern(string(req.GetSchemaName())), pattern(string(req.GetTableName())))
		if err != nil {
			return nil, err
		}
		out := make([][]any, 0, len(rows))
		for _, r := range rows {
			if s.tableVisible(ss, r[0], r[1], false) {
				out = append(out, []any{catalogName, sparkSchema(r[0].(string)), r[1], r[2], int32(toInt64(r[3])), r[4]})
			}
		}
		return table([]string{"TABLE_CAT VARCHAR", "TABLE_SCHEM VARCHAR", "TABLE_NAME VARCHAR", "COLUMN_NAME VARCHAR", "KEY_SEQ INTEGER", "PK_NAME VARCHAR"}, out), nil
	})
	return &tcli.TGetPrimaryKeysResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetCrossReference implements tcli.TCLIService.
func (s *Service) GetCrossReference(_ context.Context, req *tcli.TGetCrossReferenceReq) (*tcli.TGetCrossReferenceResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_FUNCTIONS, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		rows, err := s.queryRows(ctx, ss, `SELECT c.schema_name, c.referenced_table, unnest(c.referenced_column_names),
			c.schema_name, c.table_name, unnest(c.constraint_column_names), generate_subscripts(c.constraint_column_names, 1), c.constraint_name
			FROM duckdb_constraints() c WHERE c.constraint_type = 'FOREIGN KEY' AND c.database_name = current_database()
			AND c.referenced_table LIKE ? ESCAPE '\' AND c.table_name LIKE ? ESCAPE '\' ORDER BY 5, 7`,
			pattern(string(req.GetParentTableName())), pattern(string(req.GetForeignTableName())))
		if err != nil {
			return nil, err
		}
		out := make([][]any, 0, len(rows))
		for _, r := range rows {
			if !s.tableVisible(ss, r[0], r[1], false) || !s.tableVisible(ss, r[3], r[4], false) {
				continue
			}
			out = append(out, []any{catalogName, sparkSchema(r[0].(string)), r[1], r[2], catalogName, sparkSchema(r[3].(string)), r[4], r[5],
				int32(toInt64(r[6])), int32(3), int32(3), r[7], nil, int32(7)})
		}
		return table([]string{"PKTABLE_CAT VARCHAR", "PKTABLE_SCHEM VARCHAR", "PKTABLE_NAME VARCHAR", "PKCOLUMN_NAME VARCHAR",
			"FKTABLE_CAT VARCHAR", "FKTABLE_SCHEM VARCHAR", "FKTABLE_NAME VARCHAR", "FKCOLUMN_NAME VARCHAR", "KEY_SEQ INTEGER",
			"UPDATE_RULE INTEGER", "DELETE_RULE INTEGER", "FK_NAME VARCHAR", "PK_NAME VARCHAR", "DEFERRABILITY INTEGER"}, out), nil
	})
	return &tcli.TGetCrossReferenceResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}

// GetTypeInfo implements tcli.TCLIService.
func (s *Service) GetTypeInfo(_ context.Context, req *tcli.TGetTypeInfoReq) (*tcli.TGetTypeInfoResp, error) {
	st, h, d := s.meta(req.SessionHandle, tcli.TOperationType_GET_TYPE_INFO, req.GetDirectResults, func(ctx context.Context, ss *session) (*resultSet, error) {
		var types []sparkType
		for _, t := range sparkTypes() {
			if t.listed {
				types = append(types, t)
			}
		}
		out := make([][]any, len(types))
		for i, t := range types {
			numeric := t.prec != nil && t.id != tcli.TTypeId_BOOLEAN_TYPE
			var radix any
			if numeric {
				radix = int32(10)
			}
			out[i] = []any{t.name, jdbcType(t.id), t.prec, nil, nil, nil, int16(1), t.id == tcli.TTypeId_STRING_TYPE, int16(3),
				!numeric, false, false, nil, int16(0), int16(0), nil, nil, radix}
		}
		return table([]string{"TYPE_NAME VARCHAR", "DATA_TYPE INTEGER", "PRECISION INTEGER", "LITERAL_PREFIX VARCHAR",
			"LITERAL_SUFFIX VARCHAR", "CREATE_PARAMS VARCHAR", "NULLABLE SMALLINT", "CASE_SENSITIVE BOOLEAN", "SEARCHABLE SMALLINT",
			"UNSIGNED_ATTRIBUTE BOOLEAN", "FIXED_PREC_SCALE BOOLEAN", "AUTO_INCREMENT BOOLEAN", "LOCAL_TYPE_NAME VARCHAR",
			"MINIMUM_SCALE SMALLINT", "MAXIMUM_SCALE SMALLINT", "SQL_DATA_TYPE INTEGER", "SQL_DATETIME_SUB INTEGER", "NUM_PREC_RADIX INTEGER"}, out), nil
	})
	return &tcli.TGetTypeInfoResp{Status: st, OperationHandle: h, DirectResults: d}, nil
}
