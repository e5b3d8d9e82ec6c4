// Package engine finds or launches the engine that serves a session:
// Launcher starts engine processes (the local `kitsune engine`, whose
// command line, secrets pipe and ready pipe are one contract, LocalArgs),
// and Pool caches live engines per tenancy.Key, launches each key's engine
// once however many sessions ask at the same moment (the launch belongs to
// the pool, not to the first session), shares engines through the
// registry with other gateways, and stops engines that stay idle. Queues
// bound local resources; ConfineExec puts a local engine under Landlock.
// The local engine itself lives in engine/duckdb, the spark-submit
// launcher in engine/spark.
package engine
