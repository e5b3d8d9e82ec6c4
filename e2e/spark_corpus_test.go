//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// sparkExample is one "Examples:" line of Spark 4.1's SQL function
// reference (testdata/spark41).
type sparkExample struct{ fn, query, want string }

func loadSparkExamples(t *testing.T) []sparkExample {
	t.Helper()
	files, _ := filepath.Glob("testdata/spark41/examples-*.tsv")
	var out []sparkExample
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if parts := strings.SplitN(sc.Text(), "\t", 3); len(parts) == 3 {
				out = append(out, sparkExample{parts[0], parts[1], parts[2]})
			}
		}
		fh.Close()
	}
	if len(out) < 1000 {
		t.Fatalf("only %d Spark examples in testdata/spark41", len(out))
	}
	return out
}

// outcome of one example on the local engine.
type outcome int

const (
	matched   outcome = iota // Spark's answer
	refused                  // SQLSTATE 0A000: not supported, said so
	different                // another answer, or another error
)

// TestSparkFunctionCorpus runs Spark 4.1's documented function examples
// through the gateway on the local engine, with Spark's session time zone
// of the reference (America/Los_Angeles), and prints the match rate per
// function group. Every example is Spark's answer, a 0A000 refusal, or
// listed in testdata/spark41/known-different.txt: the list only shrinks
// (an example that now matches or is refused must leave it).
func TestSparkFunctionCorpus(t *testing.T) {
	examples := loadSparkExamples(t)
	g := startGateway(t)
	c := g.native(t, "corpus")
	sess := openSession(t, c, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil)
	sh := sess.SessionHandle
	if _, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SET spark.sql.session.timeZone=America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	known := loadKnownDifferent(t)
	zones := loadSessionZones(t)
	setZone := func(zone string) {
		if _, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: "SET spark.sql.session.timeZone=" + zone}); err != nil {
			t.Fatal(err)
		}
	}
	type tally struct{ total, matched, refused, different int }
	groups := map[string]*tally{}
	var report, refusals []string
	for _, ex := range examples {
		zone, inZone := zones[ex.query]
		if inZone {
			setZone(zone)
		}
		got, how, detail := runSparkExample(c, sh, ex)
		if inZone {
			setZone("America/Los_Angeles")
		}
		grp := sparkGroup(ex.fn)
		if groups[grp] == nil {
			groups[grp] = &tally{}
		}
		tl := groups[grp]
		tl.total++
		switch how {
		case matched:
			tl.matched++
		case refused:
			tl.refused++
			refusals = append(refusals, ex.fn+"\t"+ex.query+"\t"+detail)
		default:
			tl.different++
			report = append(report, ex.query+"\t"+ex.want+"\t"+got+detail)
		}
		_, listed := known[ex.query]
		switch {
		case os.Getenv("KITSUNE_CORPUS_UPDATE") != "":
		case how == different && !listed:
			t.Errorf("a different answer, not Spark's:\n  %s\n  Spark: %s\n  here:  %s%s", ex.query, ex.want, got, detail)
		case how != different && listed:
			t.Errorf("now %s, so it leaves testdata/spark41/known-different.txt: %s", map[outcome]string{matched: "matched", refused: "refused"}[how], ex.query)
		}
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	var all tally
	var rows []string
	row := func(n string, tl tally) string {
		return fmt.Sprintf("| %s | %d/%d (%.1f%%) | %d | %d |", n, tl.matched, tl.total, 100*float64(tl.matched)/float64(tl.total), tl.refused, tl.different)
	}
	for _, n := range names {
		tl := groups[n]
		all.total, all.matched, all.refused, all.different = all.total+tl.total, all.matched+tl.matched, all.refused+tl.refused, all.different+tl.different
		t.Logf("spark corpus %-12s %3d/%3d match (%5.1f%%), %3d refused, %3d different", n, tl.matched, tl.total, 100*float64(tl.matched)/float64(tl.total), tl.refused, tl.different)
		rows = append(rows, row(n, *tl))
	}
	t.Logf("spark corpus %-12s %3d/%3d match (%5.1f%%), %3d refused, %3d different", "all", all.matched, all.total, 100*float64(all.matched)/float64(all.total), all.refused, all.different)
	rows = append(rows, row("**all**", all))
	checkCorpusDocs(t, corpusDocBlock(rows, refusals), os.Getenv("KITSUNE_CORPUS_UPDATE") != "")
	if out := os.Getenv("KITSUNE_CORPUS_REPORT"); out != "" {
		_ = os.WriteFile(out, []byte(strings.Join(report, "\n")+"\n"), 0o644)
		_ = os.WriteFile(out+".refused", []byte(strings.Join(refusals, "\n")+"\n"), 0o644)
	}
	if os.Getenv("KITSUNE_CORPUS_UPDATE") != "" {
		writeKnownDifferent(t, report)
	}
}

// writeKnownDifferent rewrites the list from this run (make corpus-update).
func writeKnownDifferent(t *testing.T, report []string) {
	seen := map[string]bool{}
	var qs []string
	for _, r := range report {
		q, _, _ := strings.Cut(r, "\t")
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	sort.Strings(qs)
	head := "# Spark 4.1 examples (queries of examples-*.tsv) the local engine answers\n# differently today: e2e/spark_corpus_test.go fails on any other different\n# answer, and on a listed one that is matched or refused now.\n# Rewritten by KITSUNE_CORPUS_UPDATE=1 (make corpus-update).\n"
	if err := os.WriteFile("testdata/spark41/known-different.txt", []byte(head+strings.Join(qs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// loadSessionZones reads testdata/spark41/session-zones.tsv: the examples
// the reference made in another session time zone, by query.
func loadSessionZones(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("testdata/spark41/session-zones.tsv")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if zone, query, ok := strings.Cut(l, "\t"); ok && !strings.HasPrefix(l, "#") {
			out[query] = zone
		}
	}
	return out
}

func loadKnownDifferent(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("testdata/spark41/known-different.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out[l] = true
		}
	}
	return out
}

// runSparkExample runs one example and compares its printed answer.
func runSparkExample(c *client.Client, sh *tcli.TSessionHandle, ex sparkExample) (string, outcome, string) {
	ctx := context.Background()
	resp, err := c.ExecuteStatement(ctx, &tcli.TExecuteStatementReq{SessionHandle: sh, Statement: ex.query, QueryTimeout: 30})
	if err != nil {
		return "", different, " (" + err.Error() + ")"
	}
	if resp.Status.StatusCode == tcli.TStatusCode_ERROR_STATUS {
		if resp.Status.GetSqlState() == "0A000" {
			return "", refused, firstLine(resp.Status.GetErrorMessage())
		}
		return "", different, " (" + resp.Status.GetSqlState() + " " + firstLine(resp.Status.GetErrorMessage()) + ")"
	}
	defer c.CloseOperation(ctx, &tcli.TCloseOperationReq{OperationHandle: resp.OperationHandle})
	var cells []string
	for {
		fr, err := c.FetchResults(ctx, &tcli.TFetchResultsReq{OperationHandle: resp.OperationHandle, MaxRows: 1000})
		if err != nil || fr.Status.StatusCode == tcli.TStatusCode_ERROR_STATUS {
			if fr != nil && fr.Status.GetSqlState() == "0A000" {
				return "", refused, ""
			}
			msg := ""
			if fr != nil {
				msg = fr.Status.GetErrorMessage()
			}
			return "", different, " (fetch: " + firstLine(msg) + ")"
		}
		cells = append(cells, sparkCells(fr.Results)...)
		if !fr.GetHasMoreRows() || fr.Results == nil || len(cells) > 10000 {
			break
		}
	}
	got := strings.Join(strings.Fields(strings.Join(cells, " ")), " ")
	if got == strings.Join(strings.Fields(ex.want), " ") || unorderedEqual(ex, got) {
		return got, matched, ""
	}
	return got, different, ""
}

// unorderedEqual: rows of a query with no ORDER BY come in any order (the
// reference prints one of them), so the same values in another order are
// the same answer.
func unorderedEqual(ex sparkExample, got string) bool {
	if strings.Contains(strings.ToUpper(topLevel(ex.query)), "ORDER BY") {
		return false
	}
	a, b := strings.Fields(got), strings.Fields(ex.want)
	if len(a) != len(b) || len(a) < 2 {
		return false
	}
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, " ") == strings.Join(b, " ")
}

// topLevel is q without what its parentheses hold.
func topLevel(q string) string {
	var b strings.Builder
	depth := 0
	for _, r := range q {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// sparkCells prints a page's values row by row as Spark's shell prints
// them: NULL, Java's doubles, strings as they are.
func sparkCells(rs *tcli.TRowSet) []string {
	if rs == nil || len(rs.Columns) == 0 {
		return nil
	}
	n := client.ColumnLen(rs.Columns[0])
	var out []string
	for i := 0; i < n; i++ {
		for _, col := range rs.Columns {
			out = append(out, sparkCell(col, i))
		}
	}
	return out
}

func isNull(nulls []byte, i int) bool { return i/8 < len(nulls) && nulls[i/8]&(1<<(i%8)) != 0 }

func sparkCell(c *tcli.TColumn, i int) string {
	switch {
	case c.BoolVal != nil:
		if isNull(c.BoolVal.Nulls, i) {
			return "NULL"
		}
		return strconv.FormatBool(c.BoolVal.Values[i])
	case c.ByteVal != nil:
		if isNull(c.ByteVal.Nulls, i) {
			return "NULL"
		}
		return strconv.Itoa(int(c.ByteVal.Values[i]))
	case c.I16Val != nil:
		if isNull(c.I16Val.Nulls, i) {
			return "NULL"
		}
		return strconv.Itoa(int(c.I16Val.Values[i]))
	case c.I32Val != nil:
		if isNull(c.I32Val.Nulls, i) {
			return "NULL"
		}
		return strconv.Itoa(int(c.I32Val.Values[i]))
	case c.I64Val != nil:
		if isNull(c.I64Val.Nulls, i) {
			return "NULL"
		}
		return strconv.FormatInt(c.I64Val.Values[i], 10)
	case c.DoubleVal != nil:
		if isNull(c.DoubleVal.Nulls, i) {
			return "NULL"
		}
		return javaDouble(c.DoubleVal.Values[i])
	case c.StringVal != nil:
		if isNull(c.StringVal.Nulls, i) {
			return "NULL"
		}
		return c.StringVal.Values[i]
	case c.BinaryVal != nil:
		if isNull(c.BinaryVal.Nulls, i) {
			return "NULL"
		}
		return string(c.BinaryVal.Values[i])
	}
	return "?"
}

// javaDouble is Double.toString: the shortest digits that read back, as
// 1.0 or 0.6666666666666666 between 10^-3 and 10^7, else 1.0E10.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.5E+10
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return fmt.Sprintf("%sE%d", mant, e)
}
