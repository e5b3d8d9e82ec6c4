// Package redact hides secrets in SQL text before it reaches a log: the
// engine's statement log and the gateway's audit and event logs.
package redact
