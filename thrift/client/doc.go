// Package client dials a HiveServer2 endpoint — binary Thrift with SASL
// PLAIN, GSSAPI or none, or Thrift over HTTP with Basic or SPNEGO, either
// optionally over TLS — and returns a TCLIService client with CallRaw, a
// call whose reply comes back undecoded. The gateway uses it to reach
// engines (the binary transport, where raw calls work); kitsune beeline,
// the conformance suite and the benchmarks use it to reach gateways.
package client
