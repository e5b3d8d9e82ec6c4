package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

var bg = context.Background()

// side is one way to the engine: through the gateway, through the relay,
// or direct.
type side struct {
	name string
	c    *client.Client
	sh   *tcli.TSessionHandle
}

// sides opens a session on each way to the bench user's engine with open.
func (g *gateway) sides(open func(ctx context.Context, addr, user, password string) (*client.Client, *tcli.TSessionHandle, error)) ([]side, func(), error) {
	var out []side
	closeAll := func() {
		for _, s := range out {
			s.c.Close()
		}
	}
	for _, w := range []struct{ name, addr, password string }{
		{"gateway", g.addr, "x"}, {"relay", g.relayAddr, secret}, {"direct", g.engineAddr, secret},
	} {
		c, sh, err := open(bg, w.addr, "bench", w.password)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s: %w", w.name, err)
		}
		out = append(out, side{w.name, c, sh})
	}
	return out, closeAll, nil
}

func measureIdleRSS(g *gateway, _ options, t *table) error {
	time.Sleep(500 * time.Millisecond) // past start-up's allocations
	m := memoryOf(g.cmd.Process.Pid)
	t.row("gateway RSS idle (anonymous)", fmt.Sprintf("%s (%s)", mb(m.rss), mb(m.anon)), "-", "-", "<= 30 MB")
	return nil
}

// measureStartup: a new user's first session to its first row (a cold
// engine), then the bench user's engine warmed, found and put behind the
// relay, and warm session opens.
func measureStartup(g *gateway, _ options, t *table) error {
	t0 := time.Now()
	c, sh, err := open(bg, g.addr, "cold", "x")
	if err != nil {
		return err
	}
	if err := cycle(bg, c, sh, "SELECT 1"); err != nil {
		return err
	}
	cold := time.Since(t0)
	c.Close()
	warm, wsh, err := open(bg, g.addr, "bench", "x")
	if err != nil {
		return err
	}
	defer warm.Close()
	defer func() { _, _ = warm.CloseSession(bg, &tcli.TCloseSessionReq{SessionHandle: wsh}) }()
	if g.engineAddr, err = g.engineAddress("bench"); err != nil {
		return err
	}
	if err := g.startRelay(); err != nil {
		return err
	}
	opens := make([]time.Duration, 0, 50)
	for range 50 {
		t1 := time.Now()
		c, sh, err := open(bg, g.addr, "bench", "x")
		if err != nil {
			return err
		}
		opens = append(opens, time.Since(t1))
		_, _ = c.CloseSession(bg, &tcli.TCloseSessionReq{SessionHandle: sh})
		c.Close()
	}
	t.row("warm session open p50 / cold engine to first row", fmt.Sprintf("%s / %s", median(opens).Round(10*time.Microsecond), cold.Round(time.Millisecond)),
		"-", "-", "<= 2 ms / <= 100 ms")
	return nil
}

// takeTurns runs each side's work once a round, for rounds rounds, after a
// warm-up, and returns each side's samples.
func takeTurns(sides []side, rounds int, warm func(side) error, work func(side) ([]time.Duration, error)) (map[string][]time.Duration, error) {
	for _, s := range sides {
		if err := warm(s); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	out := map[string][]time.Duration{}
	for range rounds {
		for _, s := range sides {
			d, err := work(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			out[s.name] = append(out[s.name], d...)
		}
	}
	return out, nil
}

func measureLatency(g *gateway, o options, t *table) error {
	sides, closeAll, err := g.sides(open)
	if err != nil {
		return err
	}
	defer closeAll()
	var ticksU, ticksS int64
	cycles := func(s side, n int) ([]time.Duration, error) {
		u0, s0 := cpuTicks(g.cmd.Process.Pid)
		d := make([]time.Duration, n)
		for i := range d {
			t0 := time.Now()
			if err := cycle(bg, s.c, s.sh, "SELECT 1"); err != nil {
				return nil, err
			}
			d[i] = time.Since(t0)
		}
		if s.name == "gateway" {
			u1, s1 := cpuTicks(g.cmd.Process.Pid)
			ticksU, ticksS = ticksU+u1-u0, ticksS+s1-s0
		}
		return d, nil
	}
	got, err := takeTurns(sides, o.rounds, func(s side) error { _, err := cycles(s, 50); return err },
		func(s side) ([]time.Duration, error) { return cycles(s, o.cycles) })
	if err != nil {
		return err
	}
	gw, rl, di := median(got["gateway"]), median(got["relay"]), median(got["direct"])
	t.row("SELECT 1 cycle (execute, status, fetch, close)", gw.Round(time.Microsecond).String(), di.Round(time.Microsecond).String(),
		t.ratio(float64(gw)/float64(di), "gateway/direct (SELECT 1 cycle)"), "<= 1.10")
	t.row("  relay process (the floor of any extra hop)", rl.Round(time.Microsecond).String(), di.Round(time.Microsecond).String(),
		t.ratio(float64(rl)/float64(di), "relay/direct (SELECT 1 cycle: the floor)"), "-")
	t.row("  gateway over the relay", gw.Round(time.Microsecond).String(), rl.Round(time.Microsecond).String(),
		t.ratio(float64(gw)/float64(rl), "gateway/relay (SELECT 1 cycle: what the gateway adds over a byte copy)"), "-")
	calls := float64(4 * (50 + o.cycles*o.rounds)) // four calls a cycle, warm-up included
	const tick = 10 * time.Millisecond             // USER_HZ 100
	t.row("  gateway CPU per forwarded call, user / kernel", fmt.Sprintf("%.0f µs / %.0f µs",
		float64(time.Duration(ticksU)*tick/time.Microsecond)/calls, float64(time.Duration(ticksS)*tick/time.Microsecond)/calls), "-", "-", "-")
	return nil
}

func measureDirectResults(g *gateway, o options, t *table) error {
	sides, closeAll, err := g.sides(openSpark)
	if err != nil {
		return err
	}
	defer closeAll()
	trips := 0
	run := func(s side, n int) ([]time.Duration, error) {
		d := make([]time.Duration, n)
		for i := range d {
			t0 := time.Now()
			k, err := directCycle(bg, s.c, s.sh)
			if err != nil {
				return nil, err
			}
			d[i] = time.Since(t0)
			if s.name == "gateway" {
				trips = max(trips, k)
			}
		}
		return d, nil
	}
	got, err := takeTurns(sides, o.rounds, func(s side) error { _, err := run(s, 50); return err },
		func(s side) ([]time.Duration, error) { return run(s, o.cycles) })
	if err != nil {
		return err
	}
	gw, rl, di := median(got["gateway"]), median(got["relay"]), median(got["direct"])
	t.row(fmt.Sprintf("SELECT 1 with direct results (%d round trip)", trips), gw.Round(time.Microsecond).String(), di.Round(time.Microsecond).String(),
		t.ratio(float64(gw)/float64(di), "gateway/direct (SELECT 1, direct results)"), "<= 1.10, 1 round trip")
	t.row("  relay process (the floor)", rl.Round(time.Microsecond).String(), di.Round(time.Microsecond).String(),
		t.ratio(float64(rl)/float64(di), "relay/direct (direct results: the floor)"), "-")
	return nil
}
