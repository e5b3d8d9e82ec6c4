package rest

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/thrift/status"
)

// authenticate finds who sent r with the configured authenticators: Basic
// (the password provider: NONE, LDAP), Negotiate (Kerberos SPNEGO). No
// credentials is 401 with the schemes on offer; credentials refused is
// 403, as Kyuubi's REST front end answers.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (identity, error) {
	id, err := h.credentials(w, r)
	var ae *apiError
	if err == nil || errors.As(err, &ae) && ae.status == http.StatusForbidden {
		method := "PLAIN"
		if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Negotiate") {
			method = "KERBEROS"
		}
		user := id.Real
		if user == "" {
			user, _, _ = r.BasicAuth()
		}
		h.cfg.Observer.Login("rest", method, user, r.RemoteAddr, err)
	}
	return id, err
}

// credentials checks the request's credentials.
func (h *Handler) credentials(w http.ResponseWriter, r *http.Request) (identity, error) {
	id := identity{Addr: r.RemoteAddr}
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(scheme, "Basic") && h.cfg.Passwords != nil:
		user, pass, ok := r.BasicAuth()
		if !ok {
			return id, h.refuse(r, "Basic", "the Basic credentials are not base64 user:password")
		}
		real, err := h.cfg.Passwords.Authenticate(r.Context(), user, pass, r.RemoteAddr)
		if err != nil {
			var u interface{ Unavailable() bool }
			if errors.As(err, &u) && u.Unavailable() {
				return id, &apiError{status: http.StatusServiceUnavailable, code: status.CodeRESTUnauthenticated, msg: err.Error()}
			}
			return id, h.refuse(r, "Basic", "authentication failed for "+user)
		}
		id.Real, id.AuthType = real, "BASIC"
	case strings.EqualFold(scheme, "Negotiate") && h.cfg.SPNEGO != nil:
		token, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return id, h.refuse(r, "Negotiate", "the Negotiate token is not base64")
		}
		gctx, err := h.cfg.SPNEGO.AcceptGSS(token)
		if err != nil {
			return id, h.refuse(r, "Negotiate", "Kerberos authentication failed: "+err.Error())
		}
		if out := gctx.Output(); len(out) > 0 {
			w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(out))
		}
		id.Real, id.AuthType = gctx.User(), "KERBEROS"
	case scheme == "":
		h.challenge(w)
		return id, &apiError{status: http.StatusUnauthorized, code: status.CodeRESTUnauthenticated,
			msg: "authentication required: send " + h.schemes() + " credentials"}
	default:
		h.challenge(w)
		return id, &apiError{status: http.StatusUnauthorized, code: status.CodeRESTUnauthenticated,
			msg: "authentication scheme " + scheme + " is not configured here: use " + h.schemes()}
	}
	id.User = id.Real
	return id, nil
}

func (h *Handler) refuse(r *http.Request, scheme, why string) error {
	h.lg.Warn("rest authentication failed", zap.String("scheme", scheme), zap.String("remote", r.RemoteAddr), zap.String("reason", why))
	return &apiError{status: http.StatusForbidden, code: status.CodeRESTUnauthenticated, msg: why}
}

func (h *Handler) challenge(w http.ResponseWriter) {
	if h.cfg.SPNEGO != nil {
		w.Header().Add("WWW-Authenticate", "Negotiate")
	}
	if h.cfg.Passwords != nil {
		w.Header().Add("WWW-Authenticate", `Basic realm="kitsune"`)
	}
}

func (h *Handler) schemes() string {
	var s []string
	if h.cfg.Passwords != nil {
		s = append(s, "Basic")
	}
	if h.cfg.SPNEGO != nil {
		s = append(s, "Negotiate (Kerberos)")
	}
	if len(s) == 0 {
		return "no scheme (none is configured)"
	}
	return strings.Join(s, " or ")
}
