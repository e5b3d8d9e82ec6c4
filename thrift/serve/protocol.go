package serve

import tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"

// MaxProtocol is the highest HiveServer2 protocol version kitsune speaks.
const MaxProtocol = tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V11

// NegotiateProtocol is min(client, server); a version kitsune does not know
// (Databricks drivers send -7 and their own in field 1282) gets the highest.
func NegotiateProtocol(client tcli.TProtocolVersion) tcli.TProtocolVersion {
	if client < 0 || client > MaxProtocol {
		return MaxProtocol
	}
	return client
}
