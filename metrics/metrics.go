package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the gateway's Prometheus metrics, on a registry of their
// own (no package-level state): the counters and histograms the serving
// layers observe, and gauges read from the parts when scraped.
type Metrics struct {
	reg *prometheus.Registry

	connections       *prometheus.CounterVec
	connectionsFailed *prometheus.CounterVec
	connectionsOpen   *prometheus.GaugeVec
	authFailures      *prometheus.CounterVec
	sessions          *prometheus.CounterVec
	operations        *prometheus.CounterVec
	operationsFailed  *prometheus.CounterVec
	operationsOpen    prometheus.Gauge
	operationTime     *prometheus.HistogramVec
	rpcTime           *prometheus.HistogramVec
	restTime          *prometheus.HistogramVec
	fetchedBytes      prometheus.Counter
	fetchedRows       prometheus.Counter
	launches          *prometheus.CounterVec
	launchFailures    *prometheus.CounterVec
	startupTime       *prometheus.HistogramVec
	eventsDropped     prometheus.Counter
	transitions       *prometheus.CounterVec
	zkExpiries        prometheus.Counter
	storeRequests     *prometheus.CounterVec
	storeFailures     *prometheus.CounterVec
	storeRetries      prometheus.Counter
	queueWait         *prometheus.HistogramVec
}

// New returns the metrics with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
		m.reg.MustRegister(h)
		return h
	}
	m.connections = counter("kitsune_connections_total", "Logins that succeeded, by transport (binary, http, rest) and user.", "transport", "user")
	m.connectionsFailed = counter("kitsune_connections_failed_total", "Logins that failed, by transport.", "transport")
	m.authFailures = counter("kitsune_auth_failures_total", "Credentials refused, by authentication method.", "method")
	m.sessions = counter("kitsune_sessions_opened_total", "Sessions opened, by transport.", "transport")
	m.operations = counter("kitsune_operations_total", "Operations opened, by type (ExecuteStatement, GetTables, ...).", "type")
	m.operationsFailed = counter("kitsune_operations_failed_total", "Operation calls answered with an error, by type and error kind (the SQLSTATE class, or engine, store).",
		"type", "kind")
	m.launches = counter("kitsune_engine_launches_total", "Engine launches, by engine type.", "type")
	m.launchFailures = counter("kitsune_engine_launch_failures_total", "Engine launches that failed, by engine type and reason (timeout, exited, refused, abandoned).",
		"type", "reason")
	m.transitions = counter("kitsune_operation_state_transitions_total", "Operation states clients were told of, by state (RUNNING, FINISHED, ERROR, CANCELED, ...).", "state")
	m.storeRequests = counter("kitsune_metadata_store_requests_total", "Metadata store calls, by call.", "call")
	m.storeFailures = counter("kitsune_metadata_store_failures_total", "Metadata store calls that failed, by call.", "call")
	m.zkExpiries = prometheus.NewCounter(prometheus.CounterOpts{Name: "kitsune_zookeeper_session_expiries_total", Help: "ZooKeeper sessions that expired (the gateway registered again)."})
	m.storeRetries = prometheus.NewCounter(prometheus.CounterOpts{Name: "kitsune_metadata_store_retries_total", Help: "Transient metadata store failures retried."})
	m.reg.MustRegister(m.zkExpiries, m.storeRetries)
	m.connectionsOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kitsune_connections_open", Help: "Open binary connections."}, []string{"transport"})
	m.operationsOpen = prometheus.NewGauge(prometheus.GaugeOpts{Name: "kitsune_operations_open", Help: "Operations open on this gateway."})
	m.fetchedBytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "kitsune_fetched_bytes_total", Help: "Bytes of FetchResults replies passed to clients."})
	m.fetchedRows = prometheus.NewCounter(prometheus.CounterOpts{Name: "kitsune_fetched_rows_total", Help: "Result rows passed to clients (counted from the replies' lengths)."})
	m.eventsDropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "kitsune_events_dropped_total", Help: "Events the event log dropped because its queue was full."})
	m.reg.MustRegister(m.connectionsOpen, m.operationsOpen, m.fetchedBytes, m.fetchedRows, m.eventsDropped)
	latency := prometheus.ExponentialBuckets(0.0005, 2, 16) // 0.5 ms .. 16 s
	m.rpcTime = histogram("kitsune_rpc_duration_seconds", "Latency of each TCLIService call, by method.", latency, "method")
	m.restTime = histogram("kitsune_rest_request_duration_seconds", "Latency of each REST request, by method and status.", latency, "method", "status")
	m.operationTime = histogram("kitsune_operation_duration_seconds", "Time from opening an operation to closing it, by type.",
		prometheus.ExponentialBuckets(0.005, 2, 16), "type")
	m.startupTime = histogram("kitsune_engine_startup_seconds", "Time an engine launch took until the engine answered, by engine type.",
		prometheus.ExponentialBuckets(0.05, 2, 14), "type")
	m.queueWait = histogram("kitsune_engine_queue_wait_seconds", "How long an engine launch waited for room in its local queue, by queue.",
		prometheus.ExponentialBuckets(0.001, 4, 10), "queue")
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Register adds a collector that reads a part's state when scraped.
func (m *Metrics) Register(c prometheus.Collector) { m.reg.MustRegister(c) }

// Login counts a login over transport by method; err is why it failed.
func (m *Metrics) Login(transport, method, user string, err error) {
	if err != nil {
		m.connectionsFailed.WithLabelValues(transport).Inc()
		m.authFailures.WithLabelValues(method).Inc()
		return
	}
	m.connections.WithLabelValues(transport, user).Inc()
}

// ConnectionOpen counts an open connection (+1) or its end (-1).
func (m *Metrics) ConnectionOpen(transport string, delta float64) {
	m.connectionsOpen.WithLabelValues(transport).Add(delta)
}

// Call observes one TCLIService call.
func (m *Metrics) Call(method string, took time.Duration) {
	m.rpcTime.WithLabelValues(method).Observe(took.Seconds())
}

// REST observes one REST request.
func (m *Metrics) REST(method string, status int, took time.Duration) {
	m.restTime.WithLabelValues(method, statusClass(status)).Observe(took.Seconds())
}

func statusClass(code int) string {
	return string(rune('0'+code/100)) + "xx"
}

// SessionOpened counts a session.
func (m *Metrics) SessionOpened(transport string) { m.sessions.WithLabelValues(transport).Inc() }

// OperationOpened counts an operation of type typ.
func (m *Metrics) OperationOpened(typ string) {
	m.operations.WithLabelValues(typ).Inc()
	m.operationsOpen.Inc()
}

// OperationFailed counts a call on an operation of type typ answered
// with an error of kind.
func (m *Metrics) OperationFailed(typ, kind string) {
	m.operationsFailed.WithLabelValues(typ, kind).Inc()
}

// OperationClosed observes an operation's life.
func (m *Metrics) OperationClosed(typ string, lived time.Duration) {
	m.operationsOpen.Dec()
	m.operationTime.WithLabelValues(typ).Observe(lived.Seconds())
}

// Fetched counts the bytes and rows of a FetchResults reply.
func (m *Metrics) Fetched(bytes int, rows int64) {
	m.fetchedBytes.Add(float64(bytes))
	m.fetchedRows.Add(float64(rows))
}

// Launched observes an engine launch: its time, or why it failed.
func (m *Metrics) Launched(typ string, took time.Duration, failure string) {
	m.launches.WithLabelValues(typ).Inc()
	if failure != "" {
		m.launchFailures.WithLabelValues(typ, failure).Inc()
		return
	}
	m.startupTime.WithLabelValues(typ).Observe(took.Seconds())
}

// EventDropped counts an event the event log could not queue.
func (m *Metrics) EventDropped() { m.eventsDropped.Inc() }

// StateChanged counts an operation state a client was told of.
func (m *Metrics) StateChanged(state string) { m.transitions.WithLabelValues(state).Inc() }

// ZooKeeperExpired counts a ZooKeeper session expiry.
func (m *Metrics) ZooKeeperExpired() { m.zkExpiries.Inc() }

// StoreCall counts a metadata store call and whether it failed.
func (m *Metrics) StoreCall(call string, err error) {
	m.storeRequests.WithLabelValues(call).Inc()
	if err != nil {
		m.storeFailures.WithLabelValues(call).Inc()
	}
}

// StoreRetried counts a retried transient store failure.
func (m *Metrics) StoreRetried() { m.storeRetries.Inc() }

// QueueWaited observes a local queue reservation's wait.
func (m *Metrics) QueueWaited(queue string, waited time.Duration) {
	m.queueWait.WithLabelValues(queue).Observe(waited.Seconds())
}
