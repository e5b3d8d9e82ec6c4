package serve

import (
	"encoding/hex"
	"net"
	"strings"
)

// HandleID writes a 16-byte handle GUID as a UUID, as Kyuubi's REST API
// and event logs name sessions and operations (other lengths as hex).
func HandleID(guid []byte) string {
	h := hex.EncodeToString(guid)
	if len(h) != 32 {
		return h
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// StateName is Kyuubi's name of an HS2 operation state, given as the
// TOperationState's name: FINISHED_STATE is FINISHED, TIMEDOUT_STATE is
// TIMEOUT; none ("") or UKNOWN_STATE is UNKNOWN.
func StateName(state string) string {
	switch state {
	case "", "UKNOWN_STATE":
		return "UNKNOWN"
	case "TIMEDOUT_STATE":
		return "TIMEOUT"
	}
	return strings.TrimSuffix(state, "_STATE")
}

// HostOf strips the port from a remote address.
func HostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
