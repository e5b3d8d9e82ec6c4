// Package discovery is where gateways and engines find each other: a small
// Conn plug-in (nodes that are persistent, private, ephemeral or
// sequential; children; watches; every call refused once its context has
// ended) with ZooKeeper (discovery/zk) and in-process (discovery/memory)
// backends, and what is written once over any Conn: locks (Lock), the
// registration Keeper (re-registers after a session expiry, stops its owner
// when an operator deletes its node) and the typed Registry (gateway
// znodes, engine registrations, the deployment secret and cookie key). One
// conformance suite (discovery/conformance, one check per file) runs
// against both backends; the ZooKeeper run uses a real ZooKeeper. The
// names of engine spaces belong to tenancy.Spaces.
package discovery
