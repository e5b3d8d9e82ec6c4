package serve

import (
	"net/http"
	"testing"
	"time"
)

// The first key signs; every key verifies, so a rotated-out key keeps its
// cookies valid for their lifetime; a cookie of an unknown key is refused.
func TestCookieKeysRotate(t *testing.T) {
	oldKey, newKey := []byte("old-key-0123456789"), []byte("new-key-0123456789")
	cfg := CookieConfig{Name: "hive.server2.auth", MaxAge: time.Hour}
	signer := func(keys ...[]byte) *cookieSigner {
		c := cfg
		c.Keys = func() [][]byte { return keys }
		return &cookieSigner{cfg: c}
	}
	req := func(ck *http.Cookie) *http.Request {
		r, _ := http.NewRequest("POST", "/cliservice", nil)
		r.AddCookie(ck)
		return r
	}
	before := signer(oldKey).issue("alice", false)
	rotated := signer(newKey, oldKey)
	if u := rotated.user(req(before)); u != "alice" {
		t.Errorf("a cookie of the previous key after rotation: %q", u)
	}
	if u := rotated.user(req(rotated.issue("bob", false))); u != "bob" {
		t.Errorf("a cookie of the new key: %q", u)
	}
	if u := signer(newKey).user(req(before)); u != "" {
		t.Errorf("a cookie of a removed key: %q", u)
	}
}
