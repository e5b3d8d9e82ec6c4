// Package eventlog writes the gateway's events (server, session,
// operation) for shipping to a lake: newline-delimited JSON under
// <path>/<event type>/day=<yyyyMMdd>/<server>.json, Kyuubi's layout and,
// where they exist, Kyuubi's field names; or to a Sink of the embedder's
// (CUSTOM). Emitting never blocks the request path: events go through a
// bounded queue and one that finds it full is dropped and counted.
package eventlog
