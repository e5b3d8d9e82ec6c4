package rest

// The JSON bodies, with Kyuubi's field names (its kyuubi-rest-client DTOs),
// so that a Kyuubi REST client reads and writes them unchanged. Times are
// epoch milliseconds, as Kyuubi's.

// VersionInfo answers GET /version.
type VersionInfo struct {
	Version string `json:"version"`
}

// SessionOpenRequest is POST /sessions.
type SessionOpenRequest struct {
	ProtocolVersion *int32            `json:"protocolVersion,omitempty"`
	Configs         map[string]string `json:"configs"`
}

// SessionHandle names a session.
type SessionHandle struct {
	Identifier     string `json:"identifier"`
	KyuubiInstance string `json:"kyuubiInstance"`
}

// SessionData is a session in GET /sessions and /admin/sessions.
type SessionData struct {
	Identifier      string            `json:"identifier"`
	RemoteID        string            `json:"remoteId"`
	User            string            `json:"user"`
	IPAddr          string            `json:"ipAddr"`
	Conf            map[string]string `json:"conf"`
	CreateTime      int64             `json:"createTime"`
	Duration        int64             `json:"duration"`
	IdleTime        int64             `json:"idleTime"`
	Exception       string            `json:"exception"`
	SessionType     string            `json:"sessionType"`
	KyuubiInstance  string            `json:"kyuubiInstance"`
	EngineID        string            `json:"engineId"`
	EngineName      string            `json:"engineName"`
	EngineURL       string            `json:"engineUrl"`
	SessionName     string            `json:"sessionName"`
	TotalOperations int               `json:"totalOperations"`
}

// SessionEvent answers GET /sessions/{h} (Kyuubi's KyuubiSessionEvent).
type SessionEvent struct {
	SessionID       string            `json:"sessionId"`
	ClientVersion   int32             `json:"clientVersion"`
	SessionType     string            `json:"sessionType"`
	SessionName     string            `json:"sessionName"`
	RemoteSessionID string            `json:"remoteSessionId"`
	EngineID        string            `json:"engineId"`
	EngineName      string            `json:"engineName"`
	EngineURL       string            `json:"engineUrl"`
	User            string            `json:"user"`
	ClientIP        string            `json:"clientIp"`
	ServerIP        string            `json:"serverIp"`
	Conf            map[string]string `json:"conf"`
	EventTime       int64             `json:"eventTime"`
	OpenedTime      int64             `json:"openedTime"`
	StartTime       int64             `json:"startTime"`
	EndTime         int64             `json:"endTime"`
	TotalOperations int               `json:"totalOperations"`
	Exception       *Exception        `json:"exception"`
}

// Exception is a failure's message (Kyuubi serialises a Throwable).
type Exception struct {
	Message string `json:"message"`
}

// SessionOpenCount answers GET /sessions/count.
type SessionOpenCount struct {
	OpenSessionCount int `json:"openSessionCount"`
}

// InfoDetail answers GET /sessions/{h}/info/{infoType}.
type InfoDetail struct {
	InfoType  string `json:"infoType"`
	InfoValue string `json:"infoValue"`
}

// StatementRequest is POST /sessions/{h}/operations/statement.
type StatementRequest struct {
	Statement    string            `json:"statement"`
	RunAsync     bool              `json:"runAsync"`
	QueryTimeout int64             `json:"queryTimeout"`
	ConfOverlay  map[string]string `json:"confOverlay"`
}

// The metadata requests.
type (
	// GetSchemasRequest is POST .../operations/schemas.
	GetSchemasRequest struct {
		CatalogName string `json:"catalogName"`
		SchemaName  string `json:"schemaName"`
	}
	// GetTablesRequest is POST .../operations/tables.
	GetTablesRequest struct {
		CatalogName string   `json:"catalogName"`
		SchemaName  string   `json:"schemaName"`
		TableName   string   `json:"tableName"`
		TableTypes  []string `json:"tableTypes"`
	}
	// GetColumnsRequest is POST .../operations/columns.
	GetColumnsRequest struct {
		CatalogName string `json:"catalogName"`
		SchemaName  string `json:"schemaName"`
		TableName   string `json:"tableName"`
		ColumnName  string `json:"columnName"`
	}
	// GetFunctionsRequest is POST .../operations/functions.
	GetFunctionsRequest struct {
		CatalogName  string `json:"catalogName"`
		SchemaName   string `json:"schemaName"`
		FunctionName string `json:"functionName"`
	}
	// GetPrimaryKeysRequest is POST .../operations/primaryKeys.
	GetPrimaryKeysRequest struct {
		CatalogName string `json:"catalogName"`
		SchemaName  string `json:"schemaName"`
		TableName   string `json:"tableName"`
	}
	// GetCrossReferenceRequest is POST .../operations/crossReference.
	GetCrossReferenceRequest struct {
		PrimaryCatalog string `json:"primaryCatalog"`
		PrimarySchema  string `json:"primarySchema"`
		PrimaryTable   string `json:"primaryTable"`
		ForeignCatalog string `json:"foreignCatalog"`
		ForeignSchema  string `json:"foreignSchema"`
		ForeignTable   string `json:"foreignTable"`
	}
)

// OperationHandle names an operation.
type OperationHandle struct {
	Identifier string `json:"identifier"`
}

// OperationData is an operation in GET /sessions/{h}/operations and
// /admin/operations.
type OperationData struct {
	Identifier     string            `json:"identifier"`
	RemoteID       string            `json:"remoteId"`
	Statement      string            `json:"statement"`
	State          string            `json:"state"`
	CreateTime     int64             `json:"createTime"`
	StartTime      int64             `json:"startTime"`
	CompleteTime   int64             `json:"completeTime"`
	Exception      string            `json:"exception"`
	SessionID      string            `json:"sessionId"`
	SessionUser    string            `json:"sessionUser"`
	SessionType    string            `json:"sessionType"`
	KyuubiInstance string            `json:"kyuubiInstance"`
	Metrics        map[string]string `json:"metrics"`
}

// OperationEvent answers GET /operations/{op}/event (KyuubiOperationEvent).
type OperationEvent struct {
	StatementID    string            `json:"statementId"`
	RemoteID       string            `json:"remoteId"`
	Statement      string            `json:"statement"`
	ShouldRunAsync bool              `json:"shouldRunAsync"`
	State          string            `json:"state"`
	EventTime      int64             `json:"eventTime"`
	CreateTime     int64             `json:"createTime"`
	StartTime      int64             `json:"startTime"`
	CompleteTime   int64             `json:"completeTime"`
	Exception      *Exception        `json:"exception"`
	SessionID      string            `json:"sessionId"`
	SessionUser    string            `json:"sessionUser"`
	SessionType    string            `json:"sessionType"`
	KyuubiInstance string            `json:"kyuubiInstance"`
	Metrics        map[string]string `json:"metrics"`
}

// OpActionRequest is PUT /operations/{op}.
type OpActionRequest struct {
	Action string `json:"action"`
}

// ResultSetMetaData answers GET /operations/{op}/resultsetmetadata.
type ResultSetMetaData struct {
	Columns []ColumnDesc `json:"columns"`
}

// ColumnDesc is one result column.
type ColumnDesc struct {
	ColumnName  string `json:"columnName"`
	DataType    string `json:"dataType"`
	ColumnIndex int    `json:"columnIndex"`
	Precision   int    `json:"precision"`
	Scale       int    `json:"scale"`
	Comment     string `json:"comment"`
}

// OperationLog answers GET /operations/{op}/log and the batch local log.
type OperationLog struct {
	LogRowSet []string `json:"logRowSet"`
	RowCount  int      `json:"rowCount"`
}

// ResultRowSet answers GET /operations/{op}/rowset.
type ResultRowSet struct {
	Rows     []Row `json:"rows"`
	RowCount int   `json:"rowCount"`
}

// Row is one result row.
type Row struct {
	Fields []Field `json:"fields"`
}

// Field is one value: its TColumn kind (I32_VAL, STRING_VAL, ...) and the
// value, null for NULL.
type Field struct {
	DataType string `json:"dataType"`
	Value    any    `json:"value"`
}

// EngineData is an engine in GET /admin/engine (Kyuubi's Engine).
type EngineData struct {
	Version    string            `json:"version"`
	User       string            `json:"user"`
	EngineType string            `json:"engineType"`
	ShareLevel string            `json:"sharelevel"`
	Subdomain  string            `json:"subdomain"`
	Instance   string            `json:"instance"`
	Namespace  string            `json:"namespace"`
	Attributes map[string]string `json:"attributes"`
}

// ServerData is a gateway in GET /admin/server.
type ServerData struct {
	NodeName   string            `json:"nodeName"`
	Namespace  string            `json:"namespace"`
	Instance   string            `json:"instance"`
	Host       string            `json:"host"`
	Port       int               `json:"port"`
	Attributes map[string]string `json:"attributes"`
	Status     string            `json:"status"`
}
