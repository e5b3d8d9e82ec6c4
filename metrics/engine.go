package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// EngineStats are a local engine's numbers when scraped.
type EngineStats struct {
	Sessions, Operations int
	OperationsTotal      uint64
	MemoryBytes          int64
}

// EngineHandler serves a local engine's own metrics (its sessions,
// operations, DuckDB's memory, the Go runtime and process), on the port
// the engine announces; the gateway proxies them.
func EngineHandler(id string, stats func() EngineStats) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &engineCollector{stats: stats,
		sessions: prometheus.NewDesc("kitsune_engine_sessions_open", "Sessions open on this engine.", nil, prometheus.Labels{"engine": id}),
		ops:      prometheus.NewDesc("kitsune_engine_operations_open", "Operations open on this engine.", nil, prometheus.Labels{"engine": id}),
		total:    prometheus.NewDesc("kitsune_engine_operations_total", "Operations this engine ran.", nil, prometheus.Labels{"engine": id}),
		memory:   prometheus.NewDesc("kitsune_engine_duckdb_memory_bytes", "DuckDB's memory in use.", nil, prometheus.Labels{"engine": id}),
	})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

type engineCollector struct {
	stats                        func() EngineStats
	sessions, ops, total, memory *prometheus.Desc
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sessions, c.ops, c.total, c.memory} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(st.Sessions))
	ch <- prometheus.MustNewConstMetric(c.ops, prometheus.GaugeValue, float64(st.Operations))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.CounterValue, float64(st.OperationsTotal))
	ch <- prometheus.MustNewConstMetric(c.memory, prometheus.GaugeValue, float64(st.MemoryBytes))
}
