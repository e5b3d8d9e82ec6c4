// Package serve serves a TCLIService over HiveServer2's transports: binary
// Thrift with SASL PLAIN or without SASL (NOSASL), and Thrift over HTTP
// (POST /<path>, Basic authentication). The gateway and the DuckDB engine
// both serve through it. Every connection's identity travels in the call
// context (PeerFrom), frames and bodies above the configured size are
// refused before they are read, and panics are answered per call.
package serve
