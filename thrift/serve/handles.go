package serve

import (
	"sync"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// Handles is a concurrent registry of values by handle: the sessions and
// operations of the gateway and of the engine alike. Keys are the handle
// GUIDs (Key); a GUID is random (a version-4 UUID), so it is the identity.
type Handles[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

// Key is the registry key of a handle identifier ("" for none).
func Key(id *tcli.THandleIdentifier) string {
	if id == nil {
		return ""
	}
	return string(id.GUID)
}

// Get returns the value of key.
func (h *Handles[T]) Get(key string) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[key]
	return v, ok
}

// Put stores v under key; first says there was none before.
func (h *Handles[T]) Put(key string, v T) (first bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]T{}
	}
	_, known := h.m[key]
	h.m[key] = v
	return !known
}

// PutFirst stores v under key unless a value is there, and returns the
// value that is there afterwards (for concurrent first stores).
func (h *Handles[T]) PutFirst(key string, v T) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if prev, ok := h.m[key]; ok {
		return prev, false
	}
	if h.m == nil {
		h.m = map[string]T{}
	}
	h.m[key] = v
	return v, true
}

// Delete removes key and returns what it held.
func (h *Handles[T]) Delete(key string) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[key]
	delete(h.m, key)
	return v, ok
}

// Len is the number of values.
func (h *Handles[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.m)
}

// Where returns the values for which pred holds (pred runs under the
// registry's lock: it must not call back into it).
func (h *Handles[T]) Where(pred func(T) bool) []T {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []T
	for _, v := range h.m {
		if pred(v) {
			out = append(out, v)
		}
	}
	return out
}
