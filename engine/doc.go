// Package engine finds or launches the engine that serves a session: Key
// names a tenant's engine, Launcher starts engine processes, and Pool caches
// live engines per key, launches each key's engine once however many
// sessions ask at the same moment, and stops engines that stay idle.
// The local engine itself lives in engine/duckdb.
package engine
