//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// The corpus table and the list of refused examples in docs/spark-sql.md
// are this test's output: make corpus-update writes them between the
// markers, and the test fails when they are not what it measured.
const (
	corpusDocs  = "../docs/spark-sql.md"
	corpusBegin = "<!-- corpus:begin (written by make corpus-update) -->"
	corpusEnd   = "<!-- corpus:end -->"
)

// corpusDocBlock renders the per-group table and, for each refused
// example, its function, query and the refusal's reason.
func corpusDocBlock(rows []string, refusals []string) string {
	var b strings.Builder
	b.WriteString(corpusBegin + "\n\n| group | match | refused | different |\n|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	b.WriteString("\n### Every refused example, and why\n\n| function | example | the local engine answers |\n|---|---|---|\n")
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
	}
	for _, r := range refusals {
		parts := strings.SplitN(r, "\t", 3)
		if len(parts) < 3 {
			continue
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", cell(parts[0]), cell(parts[1]), cell(parts[2]))
	}
	b.WriteString("\n" + corpusEnd)
	return b.String()
}

// checkCorpusDocs writes the block (update) or fails when the docs hold
// another one.
func checkCorpusDocs(t *testing.T, block string, update bool) {
	t.Helper()
	raw, err := os.ReadFile(corpusDocs)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, corpusBegin), strings.Index(doc, corpusEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no corpus markers %q … %q", corpusDocs, corpusBegin, corpusEnd)
	}
	current := doc[i : j+len(corpusEnd)]
	switch {
	case update:
		if err := os.WriteFile(corpusDocs, []byte(doc[:i]+block+doc[j+len(corpusEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
	case current != block:
		t.Errorf("%s does not show this run's corpus table and refusals: run make corpus-update", corpusDocs)
	}
}
