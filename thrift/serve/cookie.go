package serve

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// CookieConfig configures the HTTP authentication cookie, which spares a
// client a Kerberos or LDAP round trip on every request, as HiveServer2's
// hive.server2.auth cookie does.
type CookieConfig struct {
	Enabled  bool
	Name     string
	MaxAge   time.Duration
	Domain   string
	Path     string
	HTTPOnly bool
	// Keys returns the cookie keys: the first signs, every one verifies
	// (a rotated-out key keeps verifying for a cookie lifetime). Gateways
	// of one deployment share them, so that a cookie from one is honoured
	// by the others. Nil: one random key for this process.
	Keys func() [][]byte
}

// cookieSigner issues and checks signed cookies naming the user and the
// cookie's expiry.
type cookieSigner struct {
	cfg CookieConfig
}

func (c *cookieSigner) sign(user string, exp int64) string {
	return signWith(c.cfg.Keys()[0], user, exp)
}

func signWith(key []byte, user string, exp int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(exp, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// issue returns the cookie for user; secure on TLS connections.
func (c *cookieSigner) issue(user string, secure bool) *http.Cookie {
	exp := time.Now().Add(c.cfg.MaxAge).Unix()
	v := url.Values{"u": {user}, "e": {strconv.FormatInt(exp, 10)}, "s": {c.sign(user, exp)}}
	return &http.Cookie{Name: c.cfg.Name, Value: v.Encode(), MaxAge: int(c.cfg.MaxAge / time.Second),
		Domain: c.cfg.Domain, Path: c.cfg.Path, HttpOnly: c.cfg.HTTPOnly, Secure: secure}
}

// user returns the user of a valid, unexpired cookie on r, or "".
func (c *cookieSigner) user(r *http.Request) string {
	for _, ck := range r.Cookies() {
		if ck.Name != c.cfg.Name {
			continue
		}
		v, err := url.ParseQuery(ck.Value)
		if err != nil {
			continue
		}
		exp, err := strconv.ParseInt(v.Get("e"), 10, 64)
		if err != nil || time.Now().Unix() >= exp {
			continue
		}
		if v.Get("u") == "" {
			continue
		}
		for _, k := range c.cfg.Keys() {
			if hmac.Equal([]byte(signWith(k, v.Get("u"), exp)), []byte(v.Get("s"))) {
				return v.Get("u")
			}
		}
	}
	return ""
}
