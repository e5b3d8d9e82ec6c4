// Package serve serves a TCLIService over HiveServer2's transports — binary
// Thrift with SASL (PLAIN, GSSAPI) or without (NOSASL), and Thrift over
// HTTP (POST /<path>, Basic or SPNEGO, a signed authentication cookie),
// both optionally over TLS — for the gateway and the DuckDB engine alike.
//
// What every call shares is here once: the login bounds (timeout,
// concurrent credential checks), frame and body limits enforced before
// anything is read, the processor middleware (recovery and per-call
// timing, middleware.go), the caller's identity in the call context
// (PeerFrom), the protocol negotiation, version-4 handle ids, the handle
// registry (Handles), one codec for any method's arguments and results
// (Envelope, MethodOf) so that a proxy can forward by method name, and the
// delegation-token refusals.
package serve
