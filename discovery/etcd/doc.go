// Package etcd is the etcd backend of discovery.Conn: a node is a key
// (its path under a fixed prefix), ephemeral nodes are keys bound to the
// connection's lease (kept alive; they go when it expires or the
// connection closes), sequential names come from a per-parent counter
// bumped in a transaction, children are a prefix range and watches a
// prefix watch. Locks and registrations are the discovery package's own,
// written over Conn; this backend passes the same conformance suite as
// ZooKeeper's.
package etcd
