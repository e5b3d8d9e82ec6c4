// Package store is the metadata store: sessions, operations and engines
// (key, address, profile, state, owner gateway, times), so that any gateway
// can serve any session's HTTP requests and an admin can see everything.
// Backends: embedded (bbolt, a file in the work directory; the single-node
// default) and PostgreSQL (pgx; kitsune.metadata.store.url). One
// conformance suite (storetest) runs against both.
package store
