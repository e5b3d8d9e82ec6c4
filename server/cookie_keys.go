package server

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// minCookieKey is the shortest key accepted in a cookie key file.
const minCookieKey = 16

// fileKeyRing reads HTTP cookie keys from a file, one per line (# starts a
// comment): the first line signs, every line verifies. The file is read
// again when it changes, so keys rotate without a restart: put the new key
// first and keep the old one for a cookie lifetime.
type fileKeyRing struct {
	path string
	lg   *zap.Logger
	// every is how often the file is looked at again (a second).
	every time.Duration

	mu struct {
		sync.Mutex
		keys    [][]byte
		mod     time.Time
		checked time.Time
	}
}

func newFileKeyRing(path string, lg *zap.Logger) (*fileKeyRing, error) {
	r := &fileKeyRing{path: path, lg: lg, every: time.Second}
	keys, mod, err := readCookieKeys(path)
	if err != nil {
		return nil, fmt.Errorf("kitsune.frontend.thrift.http.cookie.key.file: %w", err)
	}
	r.mu.keys, r.mu.mod, r.mu.checked = keys, mod, time.Now()
	return r, nil
}

// Keys returns the current keys, re-reading the file at most once a second
// when it changed; a file that became unreadable or empty keeps the last
// good keys (and says so in the log).
func (r *fileKeyRing) Keys() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.mu.checked) < r.every {
		return r.mu.keys
	}
	r.mu.checked = time.Now()
	if st, err := os.Stat(r.path); err == nil && st.ModTime().Equal(r.mu.mod) {
		return r.mu.keys
	}
	keys, mod, err := readCookieKeys(r.path)
	if err != nil {
		r.lg.Warn("cookie key file unusable, keeping the previous keys", zap.String("file", r.path), zap.Error(err))
		return r.mu.keys
	}
	r.mu.keys, r.mu.mod = keys, mod
	r.lg.Info("cookie keys reloaded", zap.String("file", r.path), zap.Int("keys", len(keys)))
	return keys
}

func readCookieKeys(path string) ([][]byte, time.Time, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	var keys [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < minCookieKey {
			return nil, time.Time{}, fmt.Errorf("%s line %d: a key needs at least %d characters", path, n, minCookieKey)
		}
		keys = append(keys, []byte(line))
	}
	if len(keys) == 0 {
		return nil, time.Time{}, fmt.Errorf("%s holds no key", path)
	}
	return keys, st.ModTime(), nil
}
