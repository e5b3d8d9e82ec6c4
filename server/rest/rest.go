package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// Gateway is what the REST API needs of the gateway: its TCLIService (the
// same forwarding table HS2 clients go through, so a REST session is an HS2
// session) and the views the admin endpoints read.
type Gateway interface {
	// CLI is the gateway's TCLIService; calls carry the caller's identity
	// in their context (serve.WithPeer).
	CLI() tcli.TCLIService
	// Sessions are this gateway's open sessions.
	Sessions() []Session
	// Session finds a session by its id for user ("" for any), adopting
	// it from a shared store when another gateway opened it.
	Session(ctx context.Context, id []byte, user string) (Session, error)
	// Operation finds an open operation by its id for user ("" for any).
	Operation(ctx context.Context, id []byte, user string) (Operation, error)
	// Engines lists the engines this gateway knows.
	Engines(ctx context.Context) ([]Engine, error)
	// DeleteEngine stops routing sessions to engine id; kill also stops it.
	DeleteEngine(ctx context.Context, id string, kill bool) error
	// Servers lists the gateways of the deployment.
	Servers(ctx context.Context) ([]ServerData, error)
	// Refresh reloads one refreshable setting from the configuration files.
	Refresh(ctx context.Context, what string) error
	// Impersonate checks that real may act as proxy from addr.
	Impersonate(real, proxy, addr string) error
}

// Session is an open session as the REST API shows it.
type Session struct {
	Handle     *tcli.TSessionHandle
	User       string // who it runs as
	Owner      string // who authenticated
	Addr       string
	EngineID   string
	Created    time.Time
	LastAccess time.Time
	Operations []Operation
}

// Operation is an open operation as the REST API shows it.
type Operation struct {
	Handle    *tcli.TOperationHandle
	SessionID []byte
	User      string
	Statement string
	Created   time.Time
}

// Engine is an engine as the REST API shows it.
type Engine struct {
	ID, User, Type, ShareLevel, Subdomain, Addr, Space string
}

// Config configures the REST API.
type Config struct {
	// Administrators may call /admin and see everyone's work; the
	// gateway's own user is one.
	Administrators []string
	ServerUser     string
	Version        string
	// Instance names this gateway (host:port of the REST API).
	Instance string
	// Passwords checks Basic credentials (nil: Basic is refused).
	Passwords interface {
		Authenticate(ctx context.Context, user, password, remoteAddr string) (string, error)
	}
	// SPNEGO accepts Negotiate tokens (nil: Kerberos is off).
	SPNEGO sasl.GSSAcceptor
	// Batches serves /batches (nil: 404 with a reason).
	Batches Batches
	// MaxResourceSize bounds an uploaded batch resource (0: no uploads);
	// UploadDir keeps the uploads.
	MaxResourceSize int64
	UploadDir       string
	// Ready, when set, says whether the gateway takes clients (serving and
	// registered, not draining): GET /ping answers 503 with its error
	// otherwise, for readiness probes.
	Ready func() error
	// UI, when set, is served at /ui/ (the web UI's static files).
	UI http.Handler
	// Observer hears of logins and requests (nil: nobody).
	Observer Observer
	// OwnerClient reaches the other gateways' REST APIs, for what only the
	// gateway running a batch can answer (nil: such calls name it).
	OwnerClient *http.Client
}

// Observer is told of the REST API's logins and requests.
type Observer interface {
	Login(transport, method, user, addr string, err error)
	REST(method string, status int, took time.Duration)
}

type nopObserver struct{}

func (nopObserver) Login(string, string, string, string, error) {}
func (nopObserver) REST(string, int, time.Duration)             {}

// Handler serves /api/v1 and /openapi.json.
type Handler struct {
	cfg    Config
	gw     Gateway
	lg     *zap.Logger
	audit  *zap.Logger
	mux    *http.ServeMux
	routes []route
}

// New returns the REST API over gw.
func New(cfg Config, gw Gateway, lg *zap.Logger) *Handler {
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	h := &Handler{cfg: cfg, gw: gw, lg: lg, audit: lg.Named("audit"), mux: http.NewServeMux()}
	h.routes = h.table()
	for _, r := range h.routes {
		h.mux.Handle(r.method+" "+prefix+r.path, h.serve(r))
	}
	h.mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, openAPI(h.routes, cfg.Version))
	})
	if cfg.UI != nil {
		h.mux.Handle("GET /ui/", cfg.UI)
		h.mux.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusNotFound, code: status.CodeRESTNotFound,
			msg: fmt.Sprintf("no endpoint %s %s: the REST API is under %s (its OpenAPI document is /openapi.json)", r.Method, r.URL.Path, prefix)})
	})
	return h
}

const prefix = "/api/v1"

// ReadinessPath is the readiness probe's path (deploy/kubernetes).
const ReadinessPath = prefix + "/ping"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// route is one endpoint: the table (table.go) both serves and documents
// the API.
type route struct {
	method, path, summary string
	// public endpoints need no credentials (ping, version).
	public bool
	admin  bool
	// query names the query parameters, for the OpenAPI document.
	query []string
	// body and resp are the request and response types (nil: none; a
	// string: text/plain).
	body, resp any
	fn         func(r *http.Request, id identity) (any, error)
}

// text is a text/plain answer (Kyuubi answers some endpoints so).
type text string

// serve runs one endpoint behind authentication, authorisation, the audit
// line and the error mapping: the one layer every endpoint goes through.
func (h *Handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		id := identity{Addr: r.RemoteAddr}
		start := time.Now()
		defer func() {
			h.cfg.Observer.REST(r.Method, rec.status, time.Since(start))
			if p := recover(); p != nil {
				h.lg.Error("REST handler panicked", zap.String("uri", r.URL.RequestURI()), zap.Any("panic", p))
				writeError(rec, &apiError{status: http.StatusInternalServerError, msg: "internal error"})
			}
			h.audit.Info("rest request", zap.String("user", id.User), zap.String("auth_type", id.AuthType), zap.String("real_user", id.Real),
				zap.String("proxy_user", id.Proxy), zap.String("remote", r.RemoteAddr), zap.String("forwarded_by", r.Header.Get(forwardedHeader)), zap.String("method", r.Method),
				zap.String("uri", r.URL.RequestURI()), zap.Int("status", rec.status))
		}()
		var err error
		if !rt.public {
			if id, err = h.authenticate(rec, r); err == nil {
				err = h.authorize(rt, r, &id)
			}
		}
		var out any
		if err == nil {
			out, err = rt.fn(r, id)
		}
		if err != nil {
			writeError(rec, err)
			return
		}
		switch v := out.(type) {
		case nil:
			rec.WriteHeader(http.StatusOK)
		case relayed:
			if v.contentType != "" {
				rec.Header().Set("Content-Type", v.contentType)
			}
			rec.WriteHeader(v.status)
			_, _ = rec.Write(v.body)
		case text:
			rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rec.WriteHeader(http.StatusOK)
			_, _ = rec.Write([]byte(v))
		default:
			writeJSON(rec, http.StatusOK, v)
		}
	})
}

// authorize settles the effective user (proxyUser or
// hive.server2.proxy.user, under the proxy-user rules; admins may act as
// anyone) and refuses admin endpoints to non-admins.
func (h *Handler) authorize(rt route, r *http.Request, id *identity) error {
	id.Admin = h.isAdmin(id.Real)
	proxy := r.URL.Query().Get("proxyUser")
	if proxy == "" {
		proxy = r.URL.Query().Get("hive.server2.proxy.user")
	}
	if proxy != "" && proxy != id.Real {
		if !id.Admin {
			if err := h.gw.Impersonate(id.Real, proxy, r.RemoteAddr); err != nil {
				return &apiError{status: http.StatusForbidden, code: status.CodeImpersonation, sqlState: status.StateAuth, msg: err.Error()}
			}
		}
		id.User, id.Proxy = proxy, proxy
	}
	if rt.admin && !id.Admin {
		return &apiError{status: http.StatusForbidden, code: status.CodeRESTForbidden,
			msg: id.Real + " is not an administrator: admin endpoints need a user in kitsune.server.administrators"}
	}
	return nil
}

func (h *Handler) isAdmin(user string) bool {
	return user != "" && (user == h.cfg.ServerUser || slices.Contains(h.cfg.Administrators, user))
}

// identity is who calls: Real authenticated (AuthType), User is who the
// call acts as (Proxy when impersonating).
type identity struct {
	User, Real, AuthType, Proxy, Addr string
	Admin                             bool
}

// sees reports whether id may see work run as user or owned by owner.
func (id identity) sees(user, owner string) bool {
	return id.Admin || user == id.User || owner == id.User
}

// apiError is an error answer: the HTTP status, and the SQLSTATE and code
// of the refusal when it has them.
type apiError struct {
	status   int
	code     int32
	sqlState string
	msg      string
}

func (e *apiError) Error() string { return e.msg }

// errorBody is the JSON of every error answer.
type errorBody struct {
	Message   string `json:"message"`
	SQLState  string `json:"sqlState,omitempty"`
	ErrorCode int32  `json:"errorCode,omitempty"`
}

func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, code: status.CodeRESTBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{status: http.StatusNotFound, code: status.CodeRESTNotFound, msg: fmt.Sprintf(format, args...)}
}

// writeError answers err: an apiError as it says; an HS2 refusal or engine
// error (a *status.Error) as 400 for refusals of the request and 500
// otherwise, with its SQLSTATE and code.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	var se *status.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &se):
		ae = &apiError{status: httpStatusOf(se), code: se.Code, sqlState: se.SQLState, msg: se.Message}
	default:
		ae = &apiError{status: http.StatusInternalServerError, msg: err.Error()}
	}
	writeJSON(w, ae.status, errorBody{Message: ae.msg, SQLState: ae.sqlState, ErrorCode: ae.code})
}

// httpStatusOf maps an HS2 error to HTTP: the caller's fault (a refused
// conf, a limit, impersonation) is 4xx, the rest (SQL errors included, as
// Kyuubi answers them) 500.
func httpStatusOf(se *status.Error) int {
	switch c := se.Code; {
	case c >= 10000 && c < 20000:
		return http.StatusBadRequest
	case c >= 20000 && c < 30000:
		return http.StatusTooManyRequests
	case c >= 30000 && c < 40000:
		return http.StatusForbidden
	case c == status.CodeGatewayDraining || c == status.CodeStoreUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// decode reads a JSON body into v; an empty body leaves v as it is.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 16<<20))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return badRequest("the request body is not the JSON this endpoint takes (see /openapi.json): %v", err)
	}
	return nil
}

// statusRecorder remembers the answer's status for the audit line.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	written bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.written {
		return
	}
	s.status, s.written = code, true
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.written {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}
