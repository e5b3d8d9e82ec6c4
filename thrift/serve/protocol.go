package serve

import (
	"crypto/rand"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Protocol versions kitsune speaks: the HiveServer2 family V1–V11 and the
// Spark (Databricks) family, whose clients send client_protocol = -7 and
// their real version in client_protocol_i64 (field 1282).
const (
	MaxProtocol = tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11
	// MaxSparkProtocol is the highest Spark version whose features the
	// local engine implements: direct results (V1), multiple catalogs in
	// requests (V4), Arrow results and native Arrow types (V5), LZ4 frames
	// and asynchronous metadata calls (V6), parameters (V8). Result links
	// (V3) are optional for a server: it answers Arrow inline instead.
	MaxSparkProtocol = tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V8
	// jdbcWorkaround is the client_protocol Databricks drivers send
	// beside client_protocol_i64.
	jdbcWorkaround tcli.TProtocolVersion = -7
	// HiveFallback is what a Spark-family request carries in
	// client_protocol for servers that do not read field 1282 (Spark's
	// Thrift server knows HIVE V1–V10).
	HiveFallback = tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10
)

// IsSpark reports whether v is a Spark-family version.
func IsSpark(v tcli.TProtocolVersion) bool {
	return v >= tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1
}

// Columnar reports whether results travel as columns (Hive V6+ and every
// Spark version) rather than rows.
func Columnar(v tcli.TProtocolVersion) bool {
	return IsSpark(v) || v >= tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V6
}

// SparkAtLeast reports whether v is a Spark version of at least min.
func SparkAtLeast(v, min tcli.TProtocolVersion) bool { return IsSpark(v) && v >= min }

// ClientProtocol is the version a client asks for: client_protocol_i64 when
// set (it wins, as in Databricks' servers), else client_protocol. A version
// that is neither family's is refused with a message that names both.
func ClientProtocol(req *tcli.TOpenSessionReq) (tcli.TProtocolVersion, error) {
	if req.IsSetClientProtocolI64() {
		v := req.GetClientProtocolI64()
		if v >= int64(tcli.TProtocolVersion_SPARK_CLI_SERVICE_PROTOCOL_V1) && v <= 0xA5FF ||
			v >= 0 && v <= int64(MaxProtocol) {
			return tcli.TProtocolVersion(v), nil
		}
		return 0, unknownProtocol(v)
	}
	v := req.ClientProtocol
	if v < 0 && v != jdbcWorkaround {
		return 0, unknownProtocol(int64(v))
	}
	return v, nil
}

func unknownProtocol(v int64) error {
	return status.Errorf(status.StateConnection, 0, "client protocol version %d (0x%X) is not a HiveServer2 or Spark protocol version: "+
		"kitsune speaks HIVE_CLI_SERVICE_PROTOCOL_V1..V11 (0..10) and SPARK_CLI_SERVICE_PROTOCOL_V1..V8 (0xA501..0xA508); upgrade or reconfigure the client", v, v)
}

// NegotiateProtocol answers a client's version: the lower of the client's
// and the server's within the client's family, never above what the
// client sent. A Hive version newer than kitsune's gets V11; -7 without a
// field 1282 (a driver that sent only the marker) gets V11 too.
func NegotiateProtocol(client tcli.TProtocolVersion) tcli.TProtocolVersion {
	switch {
	case IsSpark(client):
		return min(client, MaxSparkProtocol)
	case client < 0 || client > MaxProtocol:
		return MaxProtocol
	}
	return client
}

// ForwardProtocol sets the version a gateway asks an engine for: a Spark
// version travels in field 1282 with Hive's highest common version in
// client_protocol, so an engine that reads only client_protocol (Spark's
// Thrift server) answers a Hive version and the client turns Spark
// features off.
func ForwardProtocol(req *tcli.TOpenSessionReq, v tcli.TProtocolVersion) {
	if IsSpark(v) {
		req.ClientProtocol = HiveFallback
		i := int64(v)
		req.ClientProtocolI64 = &i
		return
	}
	req.ClientProtocol = v
}

// NewHandleID is a fresh handle identifier: GUID and secret are each a
// version-4 RFC 4122 UUID, as Java's UUID.randomUUID() makes them (the
// Databricks drivers refuse anything else; Hive JDBC 3+ logs them as UUIDs).
func NewHandleID() *tcli.THandleIdentifier {
	return &tcli.THandleIdentifier{GUID: uuid4(), Secret: uuid4()}
}

func uuid4() []byte {
	b := make([]byte, 16)
	_, _ = rand.Read(b)     // never fails: crypto/rand crashes the program instead
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant 10
	return b
}
