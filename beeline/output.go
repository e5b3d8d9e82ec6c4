package beeline

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// formatter prints a result set in one of Beeline's output formats.
type formatter interface {
	header(cols []string)
	row(vals []*string)
	end()
}

func newFormatter(name string, w io.Writer, showHeader bool) (formatter, error) {
	switch strings.ToLower(name) {
	case "", "table":
		return &tableFmt{w: w, showHeader: showHeader}, nil
	case "csv", "csv2":
		return &sepFmt{w: csv.NewWriter(w), showHeader: showHeader}, nil
	case "tsv", "tsv2":
		cw := csv.NewWriter(w)
		cw.Comma = '\t'
		return &sepFmt{w: cw, showHeader: showHeader}, nil
	case "json":
		return &jsonFmt{w: w}, nil
	case "vertical":
		return &verticalFmt{w: w}, nil
	}
	return nil, fmt.Errorf("--outputformat %q: use table, csv, tsv, json or vertical", name)
}

const nullText = "NULL"

func text(v *string) string {
	if v == nil {
		return nullText
	}
	return *v
}

type tableFmt struct {
	w          io.Writer
	showHeader bool
	cols       []string
	rows       [][]string
}

func (f *tableFmt) header(cols []string) { f.cols = cols }
func (f *tableFmt) row(vals []*string) {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i] = text(v)
	}
	f.rows = append(f.rows, r)
}

func (f *tableFmt) end() {
	widths := make([]int, len(f.cols))
	for i, c := range f.cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range f.rows {
		for i, v := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(v))
		}
	}
	sep := "+"
	for _, w := range widths {
		sep += strings.Repeat("-", w+2) + "+"
	}
	line := func(vals []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, v := range vals {
			b.WriteString(" " + v + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)) + " |")
		}
		fmt.Fprintln(f.w, b.String())
	}
	fmt.Fprintln(f.w, sep)
	if f.showHeader {
		line(f.cols)
		fmt.Fprintln(f.w, sep)
	}
	for _, r := range f.rows {
		line(r)
	}
	fmt.Fprintln(f.w, sep)
}

type sepFmt struct {
	w          *csv.Writer
	showHeader bool
}

func (f *sepFmt) header(cols []string) {
	if f.showHeader {
		_ = f.w.Write(cols)
	}
}
func (f *sepFmt) row(vals []*string) {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i] = text(v)
	}
	_ = f.w.Write(r)
}
func (f *sepFmt) end() { f.w.Flush() }

type jsonFmt struct {
	w     io.Writer
	cols  []string
	count int
}

func (f *jsonFmt) header(cols []string) { f.cols = cols; fmt.Fprint(f.w, `{"resultset":[`) }
func (f *jsonFmt) row(vals []*string) {
	m := make(map[string]any, len(vals))
	for i, v := range vals {
		if v == nil {
			m[f.cols[i]] = nil
		} else {
			m[f.cols[i]] = *v
		}
	}
	b, _ := json.Marshal(m)
	if f.count > 0 {
		fmt.Fprint(f.w, ",")
	}
	f.count++
	_, _ = f.w.Write(b)
}
func (f *jsonFmt) end() { fmt.Fprintln(f.w, "]}") }

type verticalFmt struct {
	w    io.Writer
	cols []string
	n    int
}

func (f *verticalFmt) header(cols []string) {
	f.cols = cols
	for _, c := range cols {
		f.n = max(f.n, len(c))
	}
}
func (f *verticalFmt) row(vals []*string) {
	for i, v := range vals {
		fmt.Fprintf(f.w, "%-*s  %s\n", f.n, f.cols[i], text(v))
	}
	fmt.Fprintln(f.w)
}
func (f *verticalFmt) end() {}
