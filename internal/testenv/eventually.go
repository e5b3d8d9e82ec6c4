package testenv

import (
	"testing"
	"time"
)

// Eventually retries f until it returns nil or timeout passes, then fails
// the test with f's last error. It replaces sleep-then-assert.
func Eventually(t testing.TB, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := 10 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %v", timeout, err)
		}
		time.Sleep(wait)
		wait = min(wait*2, 250*time.Millisecond)
	}
}
