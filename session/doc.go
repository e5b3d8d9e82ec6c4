// Package session keeps the gateway's sessions: which engine serves each
// session handle, which session each operation handle belongs to (with a
// shared metadata store, sessions other gateways opened are adopted), the
// connections to the engine that carry the session's calls, the connection
// and operation limits, and idle reaping. Its seams are consumer-side
// interfaces (EnginePool, Dialer/EngineConn, the store) with in-memory
// twins (session/sessiontest, session/store/memstore, thrift/inproc).
package session
