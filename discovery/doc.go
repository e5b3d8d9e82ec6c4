// Package discovery is where gateways and engines find each other: a small
// Conn plug-in (nodes that are persistent, ephemeral or sequential;
// children; watches) with ZooKeeper (discovery/zk) and in-process
// (discovery/memory) backends, and what is written once over any Conn:
// locks (Lock). One conformance suite (discovery/conformance) runs against
// both backends; the ZooKeeper run uses a real ZooKeeper.
//
// The typed registry of servers and engines over Conn, and the gateway's
// use of it, come with high availability (see docs/architecture.md).
package discovery
