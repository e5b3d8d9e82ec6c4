package serve

import (
	"sync"
	"testing"
)

func TestHandles(t *testing.T) {
	var h Handles[int]
	if _, ok := h.Get("a"); ok || h.Len() != 0 {
		t.Fatal("empty registry has a value")
	}
	if !h.Put("a", 1) || h.Put("a", 2) {
		t.Error("Put's first flag")
	}
	if v, ok := h.Get("a"); !ok || v != 2 {
		t.Errorf("Get = %d %v", v, ok)
	}
	h.Put("b", 3)
	if got := h.Where(func(v int) bool { return v > 2 }); len(got) != 1 || got[0] != 3 {
		t.Errorf("Where = %v", got)
	}
	if v, ok := h.Delete("a"); !ok || v != 2 || h.Len() != 1 {
		t.Errorf("Delete = %d %v, len %d", v, ok, h.Len())
	}
	if _, ok := h.Delete("a"); ok {
		t.Error("deleted twice")
	}
	if Key(nil) != "" {
		t.Error("Key(nil)")
	}
}

func TestHandlesConcurrentFirstStore(t *testing.T) {
	var h Handles[int]
	var wg sync.WaitGroup
	winners := make(chan int, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, stored := h.PutFirst("k", i); stored {
				winners <- v
			}
		}()
	}
	wg.Wait()
	close(winners)
	n := 0
	for range winners {
		n++
	}
	if v, _ := h.Get("k"); n != 1 || h.Len() != 1 {
		t.Errorf("%d first stores, value %d", n, v)
	}
}
