//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kitsune-sql/kitsune/internal/testenv"
)

// browser is a headless Chromium (Debian's chromium) driven by chromedp.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed: run `make deps` (scripts/install-test-deps.sh): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	return ctx
}

// shots saves a screenshot of each page for review: under
// $KITSUNE_UI_SCREENSHOTS when set, else the test's temporary directory.
func shots(t *testing.T) func(ctx context.Context, name string) {
	dir := os.Getenv("KITSUNE_UI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	_ = os.MkdirAll(dir, 0o755)
	t.Logf("screenshots in %s", dir)
	return func(ctx context.Context, name string) {
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// textOf is the text of the page's main section.
func textOf(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	return s
}

// hash shows one page of the UI (a fresh render, even of the same page).
func hash(ctx context.Context, page string) error {
	_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`location.hash = "#x"; location.hash = "#`+page+`"; 1`))
	return err
}

// waitText navigates to page (a hash) until its text contains want.
func waitText(t *testing.T, ctx context.Context, page, want string) {
	t.Helper()
	testenv.Eventually(t, 20*time.Second, func() error {
		if err := hash(ctx, page); err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond)
		if s := textOf(ctx); !strings.Contains(s, want) {
			return fmt.Errorf("page %s lacks %q: %s", page, want, s)
		}
		return nil
	})
}

// The web UI in a real browser: log in, run a statement in the editor and
// read the result table, see the session, cancel a long operation and see
// its state change, delete an engine; a screenshot of each page.
func TestWebUI(t *testing.T) {
	g := startGateway(t)
	ctx := browser(t)
	shot := shots(t)
	base := "http://" + g.restAddr + "/ui/"
	err := chromedp.Do(ctx, chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#user"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), "pw"),
		chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS("#nav")))
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "overview", "Sessions")
	shot(ctx, "overview")

	if err := hash(ctx, "sql"); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#sql-text")),
		chromedp.SetValue(chromedp.CSS("#sql-text"), "SELECT 40 + 2 AS answer, 'fox' AS animal"),
		chromedp.Click(chromedp.CSS("#sql-run")),
		chromedp.WaitVisible(chromedp.CSS("#sql-result table")))
	if err != nil {
		t.Fatal(err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#sql-result table")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result, "answer (INT)") || !strings.Contains(result, "42") || !strings.Contains(result, "fox") {
		t.Errorf("the editor's result table: %q", result)
	}
	shot(ctx, "sql")

	waitText(t, ctx, "sessions", "alice")
	shot(ctx, "sessions")

	// A long statement, cancelled from the operations page.
	if err := hash(ctx, "sql"); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#sql-text")),
		chromedp.SetValue(chromedp.CSS("#sql-text"), "SELECT sum(i % 7) FROM range(100000000000) t(i)"),
		chromedp.Click(chromedp.CSS("#sql-run")))
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "operations", "RUNNING")
	shot(ctx, "operations")
	if err := chromedp.Do(ctx, chromedp.Click(`//tr[contains(., "range(100000000000)")]//button[text()="Cancel"]`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "operations", "CANCELED")

	waitText(t, ctx, "engines", "DUCKDB")
	shot(ctx, "engines")
	pid := enginePIDs(g.workDir)
	if len(pid) != 1 {
		t.Fatalf("engine processes: %v", pid)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`//tr[contains(., "alice")]//button[text()="Kill"]`)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, func() error { return gone(pidIfAlive(pid[0])) })
	waitText(t, ctx, "batches", "Batches")
	shot(ctx, "batches")
}

func pidIfAlive(pid int) int {
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return 0
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(st), ") Z ") {
		return 0
	}
	return pid
}
