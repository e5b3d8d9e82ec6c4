package metrics

import "github.com/prometheus/client_golang/prometheus"

// Sources read the parts' state when scraped; a nil source is not
// reported.
type Sources struct {
	// Sessions is the number of open sessions.
	Sessions func() int
	// Engines counts the live engines by type and share level.
	Engines func() map[[2]string]int
	// Launches are the launch permits in use and the launches waiting
	// for one.
	Launches func() (inUse, waiting int)
	// Batches counts the batches of the metadata store by state.
	Batches func() map[string]int
	// QueueDepth counts the launches waiting for room, by local queue.
	QueueDepth func() map[string]int
	// ZooKeeper reports whether the gateway's ZooKeeper session is
	// connected (nil without ZooKeeper).
	ZooKeeper func() bool
}

// Watch reports sources' gauges on every scrape.
func (m *Metrics) Watch(s Sources) {
	m.reg.MustRegister(&gauges{s: s,
		sessions: prometheus.NewDesc("kitsune_sessions_open", "Sessions open on this gateway.", nil, nil),
		engines:  prometheus.NewDesc("kitsune_engines", "Live engines this gateway knows, by type and share level.", []string{"type", "share_level"}, nil),
		permits:  prometheus.NewDesc("kitsune_engine_launch_permits_in_use", "Engine launches running (kitsune.engine.max.concurrent.launches bounds them).", nil, nil),
		waiting:  prometheus.NewDesc("kitsune_engine_launches_waiting", "Engine launches waiting for a launch permit.", nil, nil),
		batches:  prometheus.NewDesc("kitsune_batches", "Batches in the metadata store, by state.", []string{"state"}, nil),
		depth:    prometheus.NewDesc("kitsune_engine_queue_waiting", "Engine launches waiting for room in a local queue, by queue.", []string{"queue"}, nil),
		zk:       prometheus.NewDesc("kitsune_zookeeper_connected", "1 while the gateway's ZooKeeper session is connected, else 0.", nil, nil),
	})
}

type gauges struct {
	s                                            Sources
	sessions, engines, permits, waiting, batches *prometheus.Desc
	depth, zk                                    *prometheus.Desc
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.sessions, g.engines, g.permits, g.waiting, g.batches, g.depth, g.zk} {
		ch <- d
	}
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	if g.s.Sessions != nil {
		ch <- prometheus.MustNewConstMetric(g.sessions, prometheus.GaugeValue, float64(g.s.Sessions()))
	}
	if g.s.Engines != nil {
		for k, n := range g.s.Engines() {
			ch <- prometheus.MustNewConstMetric(g.engines, prometheus.GaugeValue, float64(n), k[0], k[1])
		}
	}
	if g.s.Launches != nil {
		inUse, waiting := g.s.Launches()
		ch <- prometheus.MustNewConstMetric(g.permits, prometheus.GaugeValue, float64(inUse))
		ch <- prometheus.MustNewConstMetric(g.waiting, prometheus.GaugeValue, float64(waiting))
	}
	if g.s.ZooKeeper != nil {
		v := 0.0
		if g.s.ZooKeeper() {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(g.zk, prometheus.GaugeValue, v)
	}
	if g.s.QueueDepth != nil {
		for q, n := range g.s.QueueDepth() {
			ch <- prometheus.MustNewConstMetric(g.depth, prometheus.GaugeValue, float64(n), q)
		}
	}
	if g.s.Batches != nil {
		for state, n := range g.s.Batches() {
			ch <- prometheus.MustNewConstMetric(g.batches, prometheus.GaugeValue, float64(n), state)
		}
	}
}
