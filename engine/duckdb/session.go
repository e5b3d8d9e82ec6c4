package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kitsune-sql/kitsune/conf"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// session is one client session: a DuckDB connection (its own current
// schema and variables), its confs and hive variables.
type session struct {
	handle *tcli.TSessionHandle
	user   string
	// groups are the user's groups as the gateway found them (for
	// authorization).
	groups   []string
	protocol tcli.TProtocolVersion
	connID   uint64
	conn     *sql.Conn
	// detached sessions do not end with their connection; the idle reaper
	// ends them.
	detached bool
	// hiveOutput: commands answer in HiveServer2's form (SHOW TABLES).
	hiveOutput bool

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

func (ss *session) columnar() bool { return serve.Columnar(ss.protocol) }

// OpenSession implements tcli.TCLIService.
func (s *Service) OpenSession(ctx context.Context, req *tcli.TOpenSessionReq) (*tcli.TOpenSessionResp, error) {
	resp := tcli.NewTOpenSessionResp()
	asked, err := serve.ClientProtocol(req)
	if err != nil {
		resp.Status = status.From(err)
		return resp, nil
	}
	proto := serve.NegotiateProtocol(asked)
	if !arrowAvailable && proto > tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V4 {
		proto = tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V4 // V5 promises Arrow results
	}
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
		handle:     &tcli.TSessionHandle{SessionId: serve.NewHandleID()},
		user:       user,
		protocol:   proto,
		connID:     peer.ConnID,
		conn:       conn,
		hiveOutput: s.cfg.HiveOutput,
	}
	// A detached session (an HTTP session any gateway may serve) does not
	// end with the connection that opened it; the idle reaper ends it.
	if req.GetConfiguration()[conf.KeySessionDetached] == "true" {
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
		case k == conf.KeySessionGroups:
			ss.groups = conf.SplitList(v)
		default:
			ss.mu.confs[k] = v
		}
	}
	if tz, ok := ss.mu.confs[sessionTimeZoneKey]; ok {
		if err := applySessionTimeZone(ctx, ss, sessionTimeZoneKey, tz); err != nil {
			conn.Close()
			resp.Status = status.From(err)
			return resp, nil
		}
	}
	if ansi, ok := ss.mu.confs[ansiKey]; ok {
		if err := applyANSI(ctx, ss, ansiKey, ansi); err != nil {
			conn.Close()
			resp.Status = status.From(err)
			return resp, nil
		}
	}
	if ns := req.GetInitialNamespace(); ns != nil {
		if c := ns.GetCatalogName(); c != "" && !strings.EqualFold(c, catalogName) {
			conn.Close()
			resp.Status = status.From(&status.Error{SQLState: "3D000", Message: "catalog " + c + " does not exist: the local engine has one catalog, " + catalogName})
			return resp, nil
		}
		if ns.IsSetSchemaName() && ns.GetSchemaName() != "" {
			useDB = ns.GetSchemaName()
		}
	}
	if useDB != "" && !strings.EqualFold(useDB, "default") {
		if _, err := conn.ExecContext(ctx, "USE "+sqlIdent(useDB)); err != nil {
			conn.Close()
			resp.Status = status.From(sqlError(fmt.Errorf("use database %s: %w", useDB, err)))
			return resp, nil
		}
	}
	s.sessions.Put(serve.Key(ss.handle.SessionId), ss)
	resp.SessionHandle = ss.handle
	// Hive JDBC 4 needs the fetch size in the reply (the gateway answers
	// its own configured one).
	resp.Configuration = map[string]string{conf.KeyEngineID: s.cfg.ID, "hive.server2.thrift.resultset.default.fetch.size": "1000"}
	if req.IsSetCanUseMultipleCatalogs() {
		// One catalog (spark_catalog): clients keep to the session catalog.
		resp.CanUseMultipleCatalogs = new(false)
	}
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
	if _, ok := s.sessions.Delete(serve.Key(ss.handle.SessionId)); !ok {
		return
	}
	if s.sessions.Len() == 0 {
		s.mu.Lock()
		s.mu.idleFrom = time.Now()
		s.mu.Unlock()
	}
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

// setCmd is one of Spark's SET forms: SET, SET -v, SET k, SET k=v.
type setCmd struct {
	key, val string
	hasVal   bool
}

// parseSet recognises Spark's SET forms (SET VARIABLE is DuckDB's own and
// is left to DuckDB).
func parseSet(stmt string) (*setCmd, bool) {
	m := setStmt.FindStringSubmatch(stmt)
	if m == nil {
		return nil, false
	}
	// DuckDB's own forms (SET VARIABLE, SET GLOBAL|SESSION|LOCAL k) go to
	// DuckDB, which refuses what the sandbox locked.
	switch w, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(m[1])), " "); w {
	case "VARIABLE", "GLOBAL", "SESSION", "LOCAL":
		return nil, false
	}
	return &setCmd{key: strings.TrimSpace(m[1]), val: strings.TrimSpace(m[2]), hasVal: strings.Contains(stmt, "=")}, true
}

func isEngineID(k string) bool { return conf.Canonical(k) == conf.KeyEngineID }

// set runs a SET form as Spark does: SET lists every conf, SET -v lists
// Spark's SQL settings with their meaning, SET k shows one, SET k=v
// changes one (and DuckDB's own setting of that name, when there is one).
// Every form answers rows (key, value), as Spark's SetCommand does.
func (s *Service) set(ctx context.Context, ss *session, c *setCmd) (*resultSet, error) {
	key, val := c.key, c.val
	switch {
	case key == "-v":
		return s.setVerbose(ss), nil
	case key == "":
		ss.mu.Lock()
		all := map[string]string{}
		for k, v := range s.cfg.Confs {
			all[k] = v
		}
		for k, v := range ss.mu.confs {
			all[k] = v
		}
		ss.mu.Unlock()
		all[conf.KeyEngineID] = s.cfg.ID
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		rows := make([][]string, len(keys))
		for i, k := range keys {
			rows[i] = []string{k, all[k]}
		}
		return stringTable([]string{"key", "value"}, rows), nil
	case !c.hasVal:
		if isEngineID(key) {
			return stringTable([]string{"key", "value"}, [][]string{{key, s.cfg.ID}}), nil
		}
		v, ok := s.confValue(ss, key)
		if !ok {
			var dv sql.NullString
			if err := ss.conn.QueryRowContext(ctx, "SELECT CAST(current_setting("+sqlString(key)+") AS VARCHAR)").Scan(&dv); err == nil {
				v, ok = dv.String, true
			}
		}
		if !ok {
			v = "<undefined>"
		}
		return stringTable([]string{"key", "value"}, [][]string{{key, v}}), nil
	}
	if isEngineID(key) {
		return nil, &status.Error{SQLState: "42000", Message: key + " is read-only"}
	}
	key = strings.Trim(key, "`")
	var isDuck bool
	_ = ss.conn.QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_settings() WHERE name = "+sqlString(strings.ToLower(key))).Scan(&isDuck)
	if isDuck && !connectionProperty(key) {
		if _, err := ss.conn.ExecContext(ctx, "SET "+key+" = "+sqlString(val)); err != nil {
			return nil, sqlError(err)
		}
	}
	if err := applySessionTimeZone(ctx, ss, key, val); err != nil {
		return nil, err
	}
	if err := applyANSI(ctx, ss, key, val); err != nil {
		return nil, err
	}
	ss.mu.Lock()
	ss.mu.confs[key] = val
	ss.mu.Unlock()
	return stringTable([]string{"key", "value"}, [][]string{{key, val}}), nil
}

// sessionTimeZoneKey is Spark's session time zone, which the local
// engine's date functions read (as the variable kitsune_session_tz).
const sessionTimeZoneKey = "spark.sql.session.timeZone"

func applySessionTimeZone(ctx context.Context, ss *session, key, val string) error {
	if !strings.EqualFold(key, sessionTimeZoneKey) {
		return nil
	}
	// timezone() checks the name: an unknown zone is refused here, as
	// Spark refuses it.
	var ok bool
	if err := ss.conn.QueryRowContext(ctx, "SELECT timezone("+sqlString(val)+", TIMESTAMPTZ '2000-01-01 00:00:00+00') IS NOT NULL").Scan(&ok); err != nil {
		return &status.Error{SQLState: "22023", Message: "spark.sql.session.timeZone=" + val + ": not a time zone (use a region such as America/Los_Angeles, or UTC)"}
	}
	_, err := ss.conn.ExecContext(ctx, "SET VARIABLE kitsune_session_tz = "+sqlString(val))
	return sqlError(err)
}

// ansiKey is Spark's ANSI mode, which division by zero (the variable
// kitsune_ansi) and CAST (TRY_CAST when off) follow.
const ansiKey = "spark.sql.ansi.enabled"

func applyANSI(ctx context.Context, ss *session, key, val string) error {
	if !strings.EqualFold(key, ansiKey) {
		return nil
	}
	on, err := strconv.ParseBool(strings.TrimSpace(val))
	if err != nil {
		return &status.Error{SQLState: "22023", Message: ansiKey + "=" + val + ": not a boolean (use true or false)"}
	}
	_, err = ss.conn.ExecContext(ctx, "SET VARIABLE kitsune_ansi = "+strconv.FormatBool(on))
	return sqlError(err)
}

// ansi reports whether the session runs in Spark's ANSI mode (its default).
func (ss *session) ansi() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, v := range ss.mu.confs {
		if strings.EqualFold(k, ansiKey) {
			on, err := strconv.ParseBool(strings.TrimSpace(v))
			return err != nil || on
		}
	}
	return true
}

// connectionProperty reports keys that drivers send as SET k=v from their
// connection properties (the Simba drivers send Schema=db) and that Spark
// keeps as plain confs: they must not reach DuckDB's settings of the same
// name, which would switch its schema under the session.
func connectionProperty(key string) bool {
	switch strings.ToLower(key) {
	case "schema", "search_path":
		return true
	}
	return false
}

// confValue is a conf as the session sees it: its own, then the engine's,
// then Spark's default for a Spark SQL setting.
func (s *Service) confValue(ss *session, key string) (string, bool) {
	ss.mu.Lock()
	v, ok := ss.mu.confs[key]
	ss.mu.Unlock()
	if !ok {
		v, ok = s.cfg.Confs[key]
	}
	if !ok {
		if d, found := sparkConfDefault(key); found {
			v, ok = d, true
		}
	}
	return v, ok
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

// GetInfo implements tcli.TCLIService: the engine answers as Spark's
// Thrift server does ("Spark SQL" and the Spark version it follows).
func (s *Service) GetInfo(_ context.Context, req *tcli.TGetInfoReq) (*tcli.TGetInfoResp, error) {
	if _, err := s.session(req.SessionHandle); err != nil {
		return &tcli.TGetInfoResp{Status: statusOf(err), InfoValue: status.EmptyInfo()}, nil
	}
	v, err := serve.Info(req.InfoType, serve.Identity{DBMS: "Spark SQL", Version: SparkVersion})
	if err != nil {
		return &tcli.TGetInfoResp{Status: status.From(err), InfoValue: status.EmptyInfo()}, nil
	}
	return &tcli.TGetInfoResp{Status: status.OK(), InfoValue: v}, nil
}

// idleSince reports whether nothing touched ss since cutoff: neither a call
// on it nor, when withOps, on any of its operations (without, it must have
// none left).
func (ss *session) idleSince(cutoff time.Time, withOps bool) bool {
	ss.mu.Lock()
	last := ss.mu.lastAccess
	ops := make([]*operation, 0, len(ss.mu.ops))
	for _, op := range ss.mu.ops {
		ops = append(ops, op)
	}
	ss.mu.Unlock()
	if !last.Before(cutoff) || (!withOps && len(ops) > 0) {
		return false
	}
	for _, op := range ops {
		op.mu.Lock()
		touched := !op.mu.lastAccess.Before(cutoff)
		op.mu.Unlock()
		if touched {
			return false
		}
	}
	return true
}
