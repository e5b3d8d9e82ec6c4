package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/eventlog"
	"github.com/kitsune-sql/kitsune/metrics"
)

// buildObserver makes the metrics, the event logger and the audit log
// that the observer feeds.
func buildObserver(cfg *conf.Config, workDir string, lg *zap.Logger) (*observer, error) {
	o := &observer{m: metrics.New(), audit: lg.Named("audit")}
	oc := cfg.Observability
	if p := oc.AuditLogPath; p != "" {
		zc := zap.NewProductionConfig()
		zc.OutputPaths, zc.ErrorOutputPaths = []string{p}, []string{"stderr"}
		zc.Sampling = nil
		zc.EncoderConfig.TimeKey = "time"
		zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
		al, err := zc.Build()
		if err != nil {
			return nil, fmt.Errorf("kitsune.audit.log.path=%s: %w", p, err)
		}
		o.audit = al.Named("audit")
	}
	for _, l := range oc.EventLoggers {
		if l == "CUSTOM" {
			return nil, fmt.Errorf("kitsune.backend.server.event.loggers=CUSTOM needs a program that embeds kitsune and sets a Sink; this binary has none: use JSON")
		}
	}
	if slices.Contains(oc.EventLoggers, "JSON") {
		dir := oc.EventLogPath
		if dir == "" {
			dir = filepath.Join(workDir, "events")
		}
		o.events = eventlog.New(eventlog.Config{Dir: dir, Dropped: o.m.EventDropped}, lg.Named("events"))
	}
	return o, nil
}

// watch reports the parts' gauges on each scrape.
func (s *Server) watch() {
	var zk func() bool
	if c, ok := s.zkConn.(interface{ Connected() bool }); ok {
		zk = c.Connected
	}
	s.obs.m.Watch(metrics.Sources{
		ZooKeeper: zk,
		Sessions:  s.mgr.Count,
		Engines: func() map[[2]string]int {
			out := map[[2]string]int{}
			for _, e := range s.pool.Engines() {
				out[[2]string{e.Key.Type, e.Key.ShareLevel}]++
			}
			return out
		},
		Launches:   s.pool.Launching,
		QueueDepth: s.pool.QueueWaiting,
		Batches: func() map[string]int {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			out := map[string]int{}
			bs, _ := s.batches.List(ctx)
			for _, b := range bs {
				out[b.State]++
			}
			return out
		},
	})
}

// listenMetrics opens the Prometheus endpoint's listener.
func (s *Server) listenMetrics() error {
	oc := s.cfg.Observability
	if !oc.MetricsEnabled {
		return nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.cfg.BindHost, strconv.Itoa(oc.MetricsPort)))
	if err != nil {
		return fmt.Errorf("listen on the metrics port (kitsune.metrics.prometheus.port): %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+oc.MetricsPath, s.obs.m.Handler())
	mux.HandleFunc("GET "+strings.TrimRight(oc.MetricsPath, "/")+"/engines/{id}", s.engineMetrics)
	s.metricsLn, s.metricsSrv = ln, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return nil
}

// MetricsAddr is the Prometheus endpoint's address ("" when off).
func (s *Server) MetricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// serverEvent is Kyuubi's KyuubiServerInfoEvent: the server, its version
// and its configuration without secrets.
func (s *Server) serverEvent(state string) map[string]any {
	host, _ := os.Hostname()
	return map[string]any{"serverName": s.obs.server, "serverIP": host, "state": state, "eventTime": time.Now().UnixMilli(),
		"startTime": s.started.UnixMilli(), "VERSION": Version, "serverConf": s.cfg.Redacted()}
}

// engineMetrics relays a local engine's own metrics (it serves them on
// the port it announced when it started).
func (s *Server) engineMetrics(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, e := range s.pool.Engines() {
		if e.ID != id {
			continue
		}
		if e.MetricsAddr == "" {
			http.Error(w, "engine "+id+" serves no metrics (a Spark engine has Spark's own)", http.StatusNotFound)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://"+e.MetricsAddr+"/metrics", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, "engine "+id+" does not answer for its metrics: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}
	http.Error(w, "no engine "+id+" on this gateway (GET /api/v1/admin/engine lists them)", http.StatusNotFound)
}
