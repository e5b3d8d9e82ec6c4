package conformance

import (
	"context"
	"fmt"
	"testing"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Dial returns a connected client; the suite closes no connection it did
// not open and closes every session it opens.
type Dial func(t *testing.T) tcli.TCLIService

// Versions are the protocol versions the suite runs at.
var versions = []tcli.TProtocolVersion{
	tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V1,
	tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V6,
	tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V8,
	tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10,
	tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11,
	tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8,
}

// Run runs the whole suite at every version.
func Run(t *testing.T, dial Dial) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			c := dial(t)
			s := open(t, c, v)
			t.Run("statements", func(t *testing.T) { checkStatements(t, s) })
			t.Run("paging", func(t *testing.T) { checkPaging(t, s) })
			t.Run("running metadata", func(t *testing.T) { checkRunningMetadata(t, s) })
			t.Run("errors", func(t *testing.T) { checkErrors(t, s) })
			t.Run("metadata", func(t *testing.T) { checkMetadata(t, s) })
			t.Run("info", func(t *testing.T) { checkInfo(t, s) })
			t.Run("cancel", func(t *testing.T) { checkCancel(t, s) })
			if s.spark() {
				t.Run("direct results", func(t *testing.T) { checkDirectResults(t, s) })
				t.Run("parameters", func(t *testing.T) { checkParameters(t, s) })
				t.Run("arrow", func(t *testing.T) { checkArrow(t, s) })
			}
		})
	}
	t.Run("unknown protocol", func(t *testing.T) { checkUnknownProtocol(t, dial(t)) })
}

// sess is one open session and what the server answered.
type sess struct {
	c      tcli.TCLIService
	h      *tcli.TSessionHandle
	asked  tcli.TProtocolVersion
	answer tcli.TProtocolVersion
	// prefix names this session's tables apart from other versions' runs.
	prefix string
}

func (s *sess) spark() bool { return s.answer >= tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1 }

func (s *sess) columnar() bool {
	return s.spark() || s.answer >= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V6
}

// isUUID4: handle GUIDs and secrets are RFC 4122 version-4 UUIDs, as Java's
// UUID.randomUUID() makes them in HiveServer2 (the Databricks drivers fail
// on anything else with "Stringified UUID is invalid").
func isUUID4(b []byte) bool { return len(b) == 16 && b[6]>>4 == 4 && b[8]>>6 == 2 }

func open(t *testing.T, c tcli.TCLIService, v tcli.TProtocolVersion) *sess {
	t.Helper()
	req := &tcli.TOpenSessionReq{ClientProtocol: v, Configuration: map[string]string{}}
	if v >= tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1 {
		i := int64(v)
		req.ClientProtocol, req.ClientProtocolI64 = -7, &i // as the Databricks drivers send it
	}
	r, err := c.OpenSession(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("OpenSession %s: %v", v, r.Status)
	}
	// The answer is never above what the client asked, and in its family.
	if r.ServerProtocolVersion > v || (v >= tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1) != (r.ServerProtocolVersion >= tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1) {
		t.Errorf("client %s: server answered %s", v, r.ServerProtocolVersion)
	}
	if v <= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11 && r.ServerProtocolVersion != v {
		t.Errorf("client %s: server answered %s; HiveServer2 answers min(client, server) and kitsune speaks V11", v, r.ServerProtocolVersion)
	}
	id := r.SessionHandle.GetSessionId()
	if !isUUID4(id.GetGUID()) || !isUUID4(id.GetSecret()) {
		t.Errorf("session handle is not a version-4 UUID: %x / %x", id.GetGUID(), id.GetSecret())
	}
	// Hive JDBC 4 reads the fetch size from the OpenSession reply.
	if r.Configuration["hive.server2.thrift.resultset.default.fetch.size"] == "" {
		t.Errorf("no hive.server2.thrift.resultset.default.fetch.size in the OpenSession configuration: %v", r.Configuration)
	}
	s := &sess{c: c, h: r.SessionHandle, asked: v, answer: r.ServerProtocolVersion, prefix: fmt.Sprintf("conf%d", v&0xff)}
	t.Cleanup(func() {
		cr, err := c.CloseSession(context.Background(), &tcli.TCloseSessionReq{SessionHandle: s.h})
		if err != nil || cr.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			t.Errorf("CloseSession: %v %v", err, cr)
		}
	})
	return s
}

func checkUnknownProtocol(t *testing.T, c tcli.TCLIService) {
	// A version of neither family is refused with a status that says so
	// (HiveServer2 itself fails on an enum value it does not know).
	r, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: -3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.StatusCode != tcli.TStatusCode_ERROR_STATUS || r.Status.GetErrorMessage() == "" {
		t.Errorf("client protocol -3: %v", r.Status)
	}
	// The connection stays usable.
	s := open(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10)
	if rows := s.query(t, "SELECT 1 AS one", false); len(rows) != 1 || rows[0][0] != "1" {
		t.Errorf("after a refused protocol: %v", rows)
	}
}
