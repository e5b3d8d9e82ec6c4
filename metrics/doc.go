// Package metrics is the gateway's Prometheus metrics (docs/operations.md):
// counters and histograms the serving layers observe through small
// interfaces of their own (serve.Observer, engine.LaunchObserver, ...),
// gauges read from the parts when scraped, and the Go runtime and process
// collectors, all on one registry the server owns.
package metrics
