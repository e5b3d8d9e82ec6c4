package beeline

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"
)

// Interactive reads statements at a prompt (with line editing and history
// in ~/.kitsune_beeline_history on a terminal) until !quit or end of input.
func (b *Beeline) Interactive(ctx context.Context, stdin io.Reader) int {
	var readLine func(prompt string) (string, error)
	if f, ok := stdin.(*os.File); ok && f == os.Stdin && liner.TerminalSupported() && isTerminal(f) {
		ln := liner.NewLiner()
		defer ln.Close()
		ln.SetCtrlCAborts(true)
		hist := filepath.Join(os.Getenv("HOME"), ".kitsune_beeline_history")
		if h, err := os.Open(hist); err == nil {
			_, _ = ln.ReadHistory(h)
			h.Close()
		}
		defer func() {
			if h, err := os.Create(hist); err == nil {
				_, _ = ln.WriteHistory(h)
				h.Close()
			}
		}()
		readLine = func(p string) (string, error) {
			l, err := ln.Prompt(p)
			if err == nil && strings.TrimSpace(l) != "" {
				ln.AppendHistory(l)
			}
			return l, err
		}
	} else {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		readLine = func(string) (string, error) {
			if sc.Scan() {
				return sc.Text(), nil
			}
			if sc.Err() != nil {
				return "", sc.Err()
			}
			return "", io.EOF
		}
	}
	var buf strings.Builder
	failed := false
	for {
		p := b.prompt
		if buf.Len() > 0 {
			p = strings.Repeat(".", len(b.prompt)-2) + "> "
		}
		line, err := readLine(p)
		if err != nil {
			break
		}
		trimmed := strings.TrimSpace(line)
		if buf.Len() == 0 && strings.HasPrefix(trimmed, "!") {
			switch strings.ToLower(strings.Fields(trimmed)[0]) {
			case "!quit", "!q", "!exit":
				return exitCode(failed)
			default:
				fmt.Fprintf(b.errw, "Unknown command: %s (try !quit)\n", trimmed)
				continue
			}
		}
		buf.WriteString(line)
		buf.WriteString("\n")
		if stmts, complete := splitComplete(buf.String()); complete {
			buf.Reset()
			for _, s := range stmts {
				if err := b.RunScript(ctx, s); err != nil {
					failed = true
				}
			}
		}
	}
	if rest := strings.TrimSpace(buf.String()); rest != "" {
		if err := b.RunScript(ctx, rest); err != nil {
			failed = true
		}
	}
	return exitCode(failed)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
