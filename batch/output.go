package batch

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// report is what spark-submit's output says of the application.
type report struct {
	appID, appURL, appState, diagnostic string
	// final is YARN's final status (SUCCEEDED, FAILED, KILLED) once given.
	final string
	// exited is spark-submit's exit status once the wrapper wrote it.
	exited   bool
	exitCode int
	tail     []string
}

// The lines of spark-submit's output that say where and how the
// application runs: YARN's client reports and Kubernetes' pod watcher.
var (
	yarnApp    = regexp.MustCompile(`\b(application_\d+_\d+)\b`)
	yarnState  = regexp.MustCompile(`\(state: ([A-Z_]+)\)`)
	trackURL   = regexp.MustCompile(`tracking URL: (\S+)`)
	finalState = regexp.MustCompile(`final status: ([A-Z_]+)`)
	diagnostic = regexp.MustCompile(`diagnostics: (.+)$`)
	k8sApp     = regexp.MustCompile(`spark-app-selector -> ([\w-]+)`)
	k8sPod     = regexp.MustCompile(`pod name: (\S+)`)
	k8sPhase   = regexp.MustCompile(`phase: ([A-Za-z]+)`)
	exitLine   = regexp.MustCompile(`^` + exitMarker + ` (\d+)$`)
)

// exitMarker starts the line the wrapper shell writes when spark-submit
// ends, so that its status is known even to a gateway started after.
const exitMarker = "kitsune-batch-exit:"

// readReport reads the output file at path.
func readReport(path string) report {
	var r report
	f, err := os.Open(path)
	if err != nil {
		return r
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	pod := ""
	for sc.Scan() {
		line := sc.Text()
		if m := exitLine.FindStringSubmatch(line); m != nil {
			r.exited = true
			r.exitCode, _ = strconv.Atoi(m[1])
			continue
		}
		r.tail = append(r.tail, line)
		if len(r.tail) > 10 {
			r.tail = r.tail[1:]
		}
		r.scan(line, &pod)
	}
	if r.appID == "" && pod != "" {
		r.appID = pod
	}
	return r
}

func (r *report) scan(line string, pod *string) {
	if m := yarnApp.FindStringSubmatch(line); m != nil && r.appID == "" {
		r.appID = m[1]
	}
	if m := yarnState.FindStringSubmatch(line); m != nil {
		r.appState = m[1]
	}
	if m := trackURL.FindStringSubmatch(line); m != nil && m[1] != "N/A" {
		r.appURL = m[1]
	}
	if m := finalState.FindStringSubmatch(line); m != nil && m[1] != "UNDEFINED" {
		r.final = m[1]
		r.appState = m[1]
	}
	if m := diagnostic.FindStringSubmatch(line); m != nil && strings.TrimSpace(m[1]) != "N/A" {
		r.diagnostic = strings.TrimSpace(m[1])
	}
	if m := k8sApp.FindStringSubmatch(line); m != nil {
		r.appID = m[1]
	}
	if m := k8sPod.FindStringSubmatch(line); m != nil {
		*pod = m[1]
	}
	if m := k8sPhase.FindStringSubmatch(line); m != nil {
		r.appState = strings.ToUpper(m[1])
		switch r.appState {
		case "SUCCEEDED":
			r.final = "SUCCEEDED"
		case "FAILED":
			r.final = "FAILED"
		}
	}
}

// statusReport reads `yarn application -status`'s answer: its State and
// Final-State lines.
func statusReport(out string) (state, final, diag string) {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "State":
			state = v
		case "Final-State":
			if v != "UNDEFINED" {
				final = v
			}
		case "Diagnostics":
			diag = v
		}
	}
	return state, final, diag
}

// logLines returns size lines of the output file from line from (from < 0:
// the last size lines) and how many lines it has.
func logLines(path string, from, size int) ([]string, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(b) == 0 {
		lines = nil
	}
	total := len(lines)
	if from < 0 {
		from = max(total-size, 0)
	}
	if from > total {
		from = total
	}
	end := min(from+size, total)
	return lines[from:end], total, nil
}
