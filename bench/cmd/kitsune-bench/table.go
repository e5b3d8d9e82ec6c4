package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table is the bench's output: one row a figure, its goal beside it, and
// the ratios again as "<number> <what>" lines.
type table struct {
	rows   [][5]string
	ratios []string
}

func (t *table) row(measure, gateway, direct, ratio, goal string) {
	t.rows = append(t.rows, [5]string{measure, gateway, direct, ratio, goal})
}

// ratio records a ratio line, e.g. "1.04 gateway/direct (SELECT 1 cycle)".
func (t *table) ratio(v float64, what string) string {
	t.ratios = append(t.ratios, fmt.Sprintf("%.2f %s", v, what))
	return fmt.Sprintf("%.2f", v)
}

func (t *table) print(w io.Writer) {
	fmt.Fprintf(w, "kitsune bench: one warm local engine, loopback, binary transport; the sides take turns in one run\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tgateway\tdirect\tratio\tgoal")
	fmt.Fprintln(tw, strings.Repeat("-", 40)+"\t-------\t------\t-----\t----")
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r[:], "\t"))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, r := range t.ratios {
		fmt.Fprintln(w, r)
	}
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
