// Package conformance is a HiveServer2 conformance suite: for the protocol
// versions clients use (Hive V1, V6, V8, V10, V11 and Spark V8), every RPC
// and every response field a strict client reads (handles and their flags,
// status codes and SQLSTATEs, schemas and type qualifiers, page offsets and
// hasMoreRows, the Databricks extensions) is checked against the behaviour
// of HiveServer2 and Spark's Thrift server, which each check states. The
// local engine's tests run it against the engine directly and the e2e
// tests through the gateway, so that the two paths cannot drift.
package conformance
