package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// session is one client session: a DuckDB connection (its own current
// schema and variables), its confs and hive variables.
type session struct {
	handle   *tcli.TSessionHandle
	user     string
	protocol tcli.TProtocolVersion
	connID   uint64
	conn     *sql.Conn
	// detached sessions do not end with their connection; the idle reaper
	// ends them.
	detached bool

	// exec serializes statements: a DuckDB connection runs one at a time.
	exec sync.Mutex

	mu struct {
		sync.Mutex
		confs      map[string]string
		vars       map[string]string
		lastAccess time.Time
		ops        map[string]*operation
	}
}

func (ss *session) touch() {
	ss.mu.Lock()
	ss.mu.lastAccess = time.Now()
	ss.mu.Unlock()
}

func (ss *session) columnar() bool {
	return ss.protocol >= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V6
}

// OpenSession implements tcli.TCLIService.
func (s *Service) OpenSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	resp := tcli.NewTOpenSessionResp()
	proto := serve.NegotiateProtocol(req.ClientProtocol)
	resp.ServerProtocolVersion = proto
	peer := serve.PeerFrom(ctx)
	user := req.GetUsername()
	if user == "" {
		user = peer.User
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		resp.Status = status.From(fmt.Errorf("open engine connection: %w", err))
		return resp, nil
	}
	ss := &session{
		handle:   &tcli.TSessionHandle{SessionId: newHandle()},
		user:     user,
		protocol: proto,
		connID:   peer.ConnID,
		conn:     conn,
	}
	// A detached session (an HTTP session any gateway may serve) does not
	// end with the connection that opened it; the idle reaper ends it.
	if req.GetConfiguration()["kitsune.session.detached"] == "true" {
		ss.connID, ss.detached = 0, true
	}
	ss.mu.confs = map[string]string{}
	ss.mu.vars = map[string]string{}
	ss.mu.ops = map[string]*operation{}
	ss.mu.lastAccess = time.Now()
	if _, err := conn.ExecContext(ctx, "SET VARIABLE kitsune_user = "+sqlString(user)); err != nil {
		conn.Close()
		resp.Status = status.From(fmt.Errorf("prepare session: %w", err))
		return resp, nil
	}
	var useDB string
	for k, v := range req.GetConfiguration() {
		switch {
		case strings.HasPrefix(k, "set:hiveconf:"):
			ss.mu.confs[strings.TrimPrefix(k, "set:hiveconf:")] = v
		case strings.HasPrefix(k, "set:hivevar:"):
			ss.mu.vars[strings.TrimPrefix(k, "set:hivevar:")] = v
		case k == "use:database":
			useDB = v
		default:
			ss.mu.confs[k] = v
		}
	}
	if useDB != "" && !strings.EqualFold(useDB, "default") {
		if _, err := conn.ExecContext(ctx, "USE "+sqlIdent(useDB)); err != nil {
			conn.Close()
			resp.Status = status.From(sqlError(fmt.Errorf("use database %s: %w", useDB, err)))
			return resp, nil
		}
	}
	s.mu.Lock()
	s.mu.sessions[string(ss.handle.SessionId.GUID)] = ss
	s.mu.Unlock()
	resp.SessionHandle = ss.handle
	resp.Configuration = map[string]string{"kitsune.engine.id": s.cfg.ID}
	resp.Status = status.OK()
	return resp, nil
}

// CloseSession implements tcli.TCLIService.
func (s *Service) CloseSession(_ context.Context, req *tcli.TCloseSessionReq) (*tcli.TCloseSessionResp, error) {
	ss, err := s.session(req.SessionHandle)
	if err != nil {
		return &tcli.TCloseSessionResp{Status: statusOf(err)}, nil
	}
	s.closeSession(ss)
	return &tcli.TCloseSessionResp{Status: status.OK()}, nil
}

func (s *Service) closeSession(ss *session) {
	s.mu.Lock()
	if _, ok := s.mu.sessions[string(ss.handle.SessionId.GUID)]; !ok {
		s.mu.Unlock()
		return
	}
	delete(s.mu.sessions, string(ss.handle.SessionId.GUID))
	if len(s.mu.sessions) == 0 {
		s.mu.idleFrom = time.Now()
	}
	s.mu.Unlock()
	ss.mu.Lock()
	ops := make([]*operation, 0, len(ss.mu.ops))
	for _, op := range ss.mu.ops {
		ops = append(ops, op)
	}
	ss.mu.Unlock()
	for _, op := range ops {
		s.closeOperation(op)
	}
	ss.exec.Lock()
	ss.conn.Close()
	ss.exec.Unlock()
}

var varRef = regexp.MustCompile(`\$\{(?:(hivevar|hiveconf|system|env):)?([A-Za-z0-9_.\-]+)\}`)

// substitute replaces ${var}, ${hivevar:var} and ${hiveconf:key} as Hive does.
func (ss *session) substitute(stmt string) string {
	if !strings.Contains(stmt, "${") {
		return stmt
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return varRef.ReplaceAllStringFunc(stmt, func(m string) string {
		p := varRef.FindStringSubmatch(m)
		switch p[1] {
		case "hiveconf":
			if v, ok := ss.mu.confs[p[2]]; ok {
				return v
			}
		case "", "hivevar":
			if v, ok := ss.mu.vars[p[2]]; ok {
				return v
			}
			if v, ok := ss.mu.confs[p[2]]; ok && p[1] == "" {
				return v
			}
		}
		return m
	})
}

var setStmt = regexp.MustCompile(`(?is)^SET(?:\s+(-v|[^=]*?)\s*(?:=\s*(.*?))?)?\s*$`)

// set runs Spark's SET forms: SET lists every conf, SET k shows one, SET
// k=v changes one (and DuckDB's own setting of that name, when there is one).
func (s *Service) set(ctx context.Context, ss *session, stmt string) (*resultSet, bool, error) {
	m := setStmt.FindStringSubmatch(stmt)
	if m == nil || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(m[1])), "VARIABLE ") {
		return nil, false, nil
	}
	key, val := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	hasVal := strings.Contains(stmt, "=")
	engineID := func(k string) bool { return k == "kitsune.engine.id" || k == "kyuubi.engine.id" }
	switch {
	case key == "" || key == "-v":
		ss.mu.Lock()
		all := map[string]string{}
		for k, v := range s.cfg.Confs {
			all[k] = v
		}
		for k, v := range ss.mu.confs {
			all[k] = v
		}
		ss.mu.Unlock()
		all["kitsune.engine.id"] = s.cfg.ID
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		rows := make([][]string, len(keys))
		for i, k := range keys {
			rows[i] = []string{k, all[k]}
		}
		return stringTable([]string{"key", "value"}, rows), true, nil
	case !hasVal:
		if engineID(key) {
			return stringTable([]string{"key", "value"}, [][]string{{key, s.cfg.ID}}), true, nil
		}
		ss.mu.Lock()
		v, ok := ss.mu.confs[key]
		ss.mu.Unlock()
		if !ok {
			v, ok = s.cfg.Confs[key]
		}
		if !ok {
			var dv sql.NullString
			if err := ss.conn.QueryRowContext(ctx, "SELECT CAST(current_setting("+sqlString(key)+") AS VARCHAR)").Scan(&dv); err == nil {
				v, ok = dv.String, true
			}
		}
		if !ok {
			v = "<undefined>"
		}
		return stringTable([]string{"key", "value"}, [][]string{{key, v}}), true, nil
	}
	if engineID(key) {
		return nil, true, &status.Error{SQLState: "42000", Message: key + " is read-only"}
	}
	key = strings.Trim(key, "`")
	var isDuck bool
	_ = ss.conn.QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_settings() WHERE name = "+sqlString(strings.ToLower(key))).Scan(&isDuck)
	if isDuck {
		if _, err := ss.conn.ExecContext(ctx, "SET "+key+" = "+sqlString(val)); err != nil {
			return nil, true, sqlError(err)
		}
	}
	ss.mu.Lock()
	ss.mu.confs[key] = val
	ss.mu.Unlock()
	return stringTable([]string{"key", "value"}, [][]string{{key, val}}), true, nil
}

// SetClientInfo implements tcli.TCLIService.
func (s *Service) SetClientInfo(_ context.Context, req *tcli.TSetClientInfoReq) (*tcli.TSetClientInfoResp, error) {
	ss, err := s.session(req.SessionHandle)
	if err != nil {
		return &tcli.TSetClientInfoResp{Status: statusOf(err)}, nil
	}
	ss.mu.Lock()
	for k, v := range req.GetConfiguration() {
		ss.mu.confs["client."+k] = v
	}
	ss.mu.Unlock()
	return &tcli.TSetClientInfoResp{Status: status.OK()}, nil
}

// GetInfo implements tcli.TCLIService.
func (s *Service) GetInfo(_ context.Context, req *tcli.TGetInfoReq) (*tcli.TGetInfoResp, error) {
	if _, err := s.session(req.SessionHandle); err != nil {
		return &tcli.TGetInfoResp{Status: statusOf(err), InfoValue: status.EmptyInfo()}, nil
	}
	str := func(v string) *tcli.TGetInfoValue { return &tcli.TGetInfoValue{StringValue: &v} }
	num := func(v int64) *tcli.TGetInfoValue { return &tcli.TGetInfoValue{LenValue: &v} }
	var v *tcli.TGetInfoValue
	switch req.InfoType {
	case tcli.TGetInfoType_CLI_SERVER_NAME:
		v = str("kitsune")
	case tcli.TGetInfoType_CLI_DBMS_NAME:
		v = str("kitsune DuckDB")
	case tcli.TGetInfoType_CLI_DBMS_VER:
		v = str(strings.TrimPrefix(s.version, "v"))
	case tcli.TGetInfoType_CLI_MAX_COLUMN_NAME_LEN, tcli.TGetInfoType_CLI_MAX_SCHEMA_NAME_LEN, tcli.TGetInfoType_CLI_MAX_TABLE_NAME_LEN:
		v = num(128)
	case tcli.TGetInfoType_CLI_IDENTIFIER_QUOTE_CHAR:
		v = str("`")
	case tcli.TGetInfoType_CLI_ODBC_KEYWORDS:
		v = str("Unimplemented")
	default:
		v = str("")
	}
	return &tcli.TGetInfoResp{Status: status.OK(), InfoValue: v}, nil
}
