// Package discovery is where gateways and engines find each other: a small
// Conn plug-in (ephemeral and sequential nodes, children, watches, locks)
// with ZooKeeper and in-process backends, and a typed registry over it.
//
// Today a single gateway keeps its engines in engine.Pool and needs no
// registry; the ZooKeeper backend, the Kyuubi-compatible znode layouts and
// the creation locks come with high availability (see docs/architecture.md).
package discovery
