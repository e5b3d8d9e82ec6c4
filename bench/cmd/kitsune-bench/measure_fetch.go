package main

import (
	"fmt"
	"sort"
	"sync/atomic"
	"time"
)

// rate is a median of rows per second.
func rate(rs []float64) float64 {
	s := append([]float64(nil), rs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func measureFetch(g *gateway, o options, t *table) error {
	sides, closeAll, err := g.sides(open)
	if err != nil {
		return err
	}
	defer closeAll()
	q := fmt.Sprintf("SELECT id, CAST(id AS DOUBLE) * 1.5 AS d, concat('row-', CAST(id AS STRING)) AS s FROM range(%d)", o.rows)
	rates := map[string][]float64{}
	for i := 0; i <= o.runs; i++ {
		for _, s := range sides {
			t0 := time.Now()
			n, err := fetchAll(bg, s.c, s.sh, q)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if n != o.rows {
				return fmt.Errorf("%s fetched %d rows, want %d", s.name, n, o.rows)
			}
			if i > 0 { // the first run warms up
				rates[s.name] = append(rates[s.name], float64(n)/time.Since(t0).Seconds())
			}
		}
	}
	gw, rl, di := rate(rates["gateway"]), rate(rates["relay"]), rate(rates["direct"])
	t.row(fmt.Sprintf("fetch %d rows (BIGINT, DOUBLE, STRING), rows/s", o.rows), fmt.Sprintf("%.0f", gw), fmt.Sprintf("%.0f", di),
		t.ratio(gw/di, "gateway/direct (fetch)"), ">= 0.98")
	t.row("  relay process (the floor)", fmt.Sprintf("%.0f", rl), fmt.Sprintf("%.0f", di), t.ratio(rl/di, "relay/direct (fetch: the floor)"), "-")
	return nil
}

// measureFormats compares Arrow and columnar results through the gateway.
func measureFormats(g *gateway, o options, t *table) error {
	c, sh, err := openSpark(bg, g.addr, "bench", "x")
	if err != nil {
		return err
	}
	defer c.Close()
	q := fmt.Sprintf("SELECT id, id * 2 AS twice, CAST(id AS DOUBLE) / 3 AS third FROM range(%d)", o.rows)
	rates := map[bool][]float64{}
	for i := 0; i <= o.runs; i++ {
		for _, arrow := range []bool{false, true} {
			t0 := time.Now()
			n, err := fetchSpark(bg, c, sh, q, arrow)
			if err != nil {
				return err
			}
			if n != o.rows {
				return fmt.Errorf("fetched %d rows, want %d (arrow=%v)", n, o.rows, arrow)
			}
			if i > 0 {
				rates[arrow] = append(rates[arrow], float64(n)/time.Since(t0).Seconds())
			}
		}
	}
	a, col := rate(rates[true]), rate(rates[false])
	t.row(fmt.Sprintf("fetch %d rows (3 numeric), Arrow vs columnar", o.rows), fmt.Sprintf("%.0f", a), fmt.Sprintf("%.0f", col),
		t.ratio(a/col, "arrow/columnar (gateway fetch, numeric)"), "-")
	return nil
}

// measureBigFetch watches the gateway's memory while a client fetches a
// large result through it: nothing may buffer a whole result.
func measureBigFetch(g *gateway, o options, t *table) error {
	c, sh, err := open(bg, g.addr, "bench", "x")
	if err != nil {
		return err
	}
	defer c.Close()
	pid := g.cmd.Process.Pid
	before := memoryOf(pid).rss
	var peak atomic.Int64
	peak.Store(before)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if m := memoryOf(pid).rss; m > peak.Load() {
					peak.Store(m)
				}
			}
		}
	}()
	q := fmt.Sprintf("SELECT id, CAST(id AS DOUBLE) * 1.5 AS d, concat('row-', CAST(id AS STRING)) AS s FROM range(%d)", o.bigRows)
	n, err := fetchAll(bg, c, sh, q)
	close(done)
	if err != nil {
		return err
	}
	if n != o.bigRows {
		return fmt.Errorf("fetched %d rows, want %d", n, o.bigRows)
	}
	t.row(fmt.Sprintf("gateway memory growth fetching %d rows", o.bigRows), mb(peak.Load()-before), "-", "-", "<= 32 MB")
	return nil
}
