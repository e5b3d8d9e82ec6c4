package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/batch"
	"github.com/kitsune-sql/kitsune/server/rest"
	"github.com/kitsune-sql/kitsune/server/ui"
	"github.com/kitsune-sql/kitsune/session"
	"github.com/kitsune-sql/kitsune/tenancy"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// restGateway is the gateway as the REST API sees it (rest.Gateway).
type restGateway struct {
	s *Server
	// lists are the refreshable limit lists in force.
	lists struct {
		sync.Mutex
		unlimited, denyUsers, denyIPs []string
	}
}

var _ rest.Gateway = (*restGateway)(nil)

func (g *restGateway) CLI() tcli.TCLIService { return g.s.handler }

func sessionView(s *session.Session) rest.Session {
	v := rest.Session{Handle: s.Handle, User: s.User, Owner: s.Owner, Addr: s.Addr, EngineID: s.Engine.ID, Created: s.Created, LastAccess: s.LastAccess()}
	for _, o := range s.Operations() {
		v.Operations = append(v.Operations, rest.Operation{Handle: o.Handle, SessionID: s.Handle.SessionId.GUID, User: s.User, Statement: o.Statement, Created: o.Created})
	}
	return v
}

func (g *restGateway) Sessions() []rest.Session {
	var out []rest.Session
	for _, s := range g.s.mgr.Sessions() {
		out = append(out, sessionView(s))
	}
	return out
}

func (g *restGateway) Session(ctx context.Context, id []byte, user string) (rest.Session, error) {
	s, err := g.s.mgr.Get(ctx, &tcli.TSessionHandle{SessionId: &tcli.THandleIdentifier{GUID: id, Secret: []byte{}}}, user)
	if err != nil {
		return rest.Session{}, err
	}
	return sessionView(s), nil
}

func (g *restGateway) Operation(ctx context.Context, id []byte, user string) (rest.Operation, error) {
	h := &tcli.TOperationHandle{OperationId: &tcli.THandleIdentifier{GUID: id, Secret: []byte{}},
		OperationType: tcli.TOperationType_EXECUTE_STATEMENT, HasResultSet: true}
	s, err := g.s.mgr.ForOperation(ctx, h, user)
	if err != nil {
		return rest.Operation{}, err
	}
	op := rest.Operation{Handle: h, SessionID: s.Handle.SessionId.GUID, User: s.User}
	// The handle as the engine gave it (Spark's Thrift server matches the
	// secret and the type too); an operation adopted from another gateway
	// is known by its id only.
	if o, ok := s.Operation(serve.Key(h.OperationId)); ok && o.Handle != nil {
		op.Handle, op.Statement, op.Created = o.Handle, o.Statement, o.Created
	}
	return op, nil
}

func (g *restGateway) Engines(context.Context) ([]rest.Engine, error) {
	spaces := g.s.spaces
	if spaces.Namespace == "" { // no ZooKeeper: the space the engine would have
		spaces = tenancy.Spaces{Namespace: g.s.cfg.HA.Namespace, Version: Version}
	}
	var out []rest.Engine
	for _, e := range g.s.pool.Engines() {
		k := e.Key
		out = append(out, rest.Engine{ID: e.ID, User: k.User, Type: k.Type, ShareLevel: k.ShareLevel, Subdomain: k.Subdomain, Addr: e.Addr,
			Space: spaces.Path(k)})
	}
	return out, nil
}

func (g *restGateway) DeleteEngine(ctx context.Context, id string, kill bool) error {
	if !g.s.pool.Retire(ctx, id, kill) {
		return fmt.Errorf("engine %s is not among this gateway's engines", id)
	}
	return nil
}

func (g *restGateway) Servers(ctx context.Context) ([]rest.ServerData, error) {
	if g.s.registry == nil {
		host, port := splitHostPort(g.s.BinaryAddr())
		return []rest.ServerData{{NodeName: g.s.restInstance(), Instance: net.JoinHostPort(host, strconv.Itoa(port)), Host: host, Port: port,
			Status: "Running", Attributes: map[string]string{"version": Version}}}, nil
	}
	nodes, err := g.s.registry.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the gateways in ZooKeeper: %w", err)
	}
	var out []rest.ServerData
	for _, n := range nodes {
		out = append(out, rest.ServerData{NodeName: n.Node, Namespace: g.s.cfg.HA.Namespace, Instance: n.Addr(), Host: n.Host, Port: n.Port,
			Status: "Running", Attributes: map[string]string{"version": n.Version}})
	}
	return out, nil
}

// Refresh reloads the configuration files and applies one refreshable
// part of them: the user and group defaults, or one limit list.
func (g *restGateway) Refresh(_ context.Context, what string) error {
	c, err := g.s.cfg.Reload()
	if err != nil {
		return fmt.Errorf("reload the configuration: %w", err)
	}
	if what == "user_defaults_conf" {
		g.s.handler.tenancy.SetSettings(c)
		g.s.lg.Info("refreshed the user defaults from the configuration files")
		return nil
	}
	g.lists.Lock()
	defer g.lists.Unlock()
	switch what {
	case "unlimited_users":
		g.lists.unlimited = c.Limits.UnlimitedUsers
	case "deny_users":
		g.lists.denyUsers = c.Limits.DenyUsers
	case "deny_ips":
		g.lists.denyIPs = c.Limits.DenyIPs
	default:
		return errors.New("nothing to refresh named " + what)
	}
	g.s.mgr.SetLists(g.lists.unlimited, g.lists.denyUsers, g.lists.denyIPs)
	g.s.lg.Info("refreshed a limit list from the configuration files", zap.String("list", what))
	return nil
}

func (g *restGateway) Impersonate(real, proxy, addr string) error {
	h := g.s.handler
	return h.proxy.Check(real, proxy, h.groups.Groups(proxy), addr)
}

func splitHostPort(addr string) (string, int) {
	h, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return h, n
}

// restInstance names this gateway in REST answers and batch records: the
// REST API's host:port (the host name when bound to every interface).
func (s *Server) restInstance() string {
	if s.restLn == nil {
		return s.BinaryAddr()
	}
	host, port := splitHostPort(s.restLn.Addr().String())
	if h := s.cfg.BindHost; h == "" || h == "0.0.0.0" || h == "::" {
		host, _ = os.Hostname()
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// buildREST makes the REST API and the batch manager once the listeners
// are bound (the instance name is the REST address).
func (s *Server) buildREST(a *authParts) {
	g := &restGateway{s: s}
	lm := s.cfg.Limits
	g.lists.unlimited, g.lists.denyUsers, g.lists.denyIPs = lm.UnlimitedUsers, lm.DenyUsers, lm.DenyIPs
	s.batches = batch.NewManager(batchConfig(s), s.meta, s.lg.Named("batch"))
	serverUser := s.handler.tenancy.ServerUser()
	rcfg := rest.Config{Administrators: s.cfg.REST.Administrators, ServerUser: serverUser, Version: Version, Instance: s.restInstance(),
		Batches: s.batches, MaxResourceSize: s.cfg.Batch.MaxResourceSize, UploadDir: filepath.Join(s.workDir, "uploads")}
	rcfg.OwnerClient = ownerClient(s.cfg.Frontend.Keystore)
	rcfg.Observer = s.obs
	rcfg.UI = ui.Handler("/ui/")
	rcfg.Ready = s.ready
	if a.passwords != nil {
		rcfg.Passwords = a.passwords
	}
	if a.spnego != nil {
		rcfg.SPNEGO = a.spnego
	}
	_ = os.MkdirAll(rcfg.UploadDir, 0o700)
	s.rest = rest.New(rcfg, g, s.lg.Named("rest"))
	if s.restLn != nil {
		s.restSrv = &http.Server{Handler: s.rest, ReadHeaderTimeout: s.cfg.Frontend.LoginTimeout, IdleTimeout: s.cfg.Frontend.HTTPMaxIdle}
	}
}

// batchConfig runs batches through the Spark launcher's settings, plans
// them with the session tenancy and counts them in the connection limits.
func batchConfig(s *Server) batch.Config {
	sc := sparkConfig(s.cfg, s.ha)
	h := s.handler
	return batch.Config{Spark: sc, WorkDir: s.workDir, Instance: s.restInstance(), KillCommand: s.cfg.Engines.Spark.KillCommand,
		StatusCommand: s.cfg.Batch.StatusCommand, CheckInterval: s.cfg.Batch.CheckInterval,
		Plan: func(user string, confs map[string]string) (batch.Plan, error) {
			dec, err := h.tenancy.Resolve(tenancy.Request{User: user, Groups: h.groups.Groups(user), Confs: confs})
			if err != nil {
				return batch.Plan{}, err
			}
			return batch.Plan{Profile: dec.Spec.Profile, Confs: dec.Spec.Confs}, nil
		},
		Admit: s.mgr.Admit}
}

// ownerClient reaches another gateway's REST API: over TLS it trusts the
// certificates of this gateway's keystore (the gateways of a deployment
// share one, or one CA).
func ownerClient(keystore string) *http.Client {
	c := &http.Client{Timeout: time.Minute}
	if keystore == "" {
		return c
	}
	pem, err := os.ReadFile(keystore)
	if err != nil {
		return c
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return c
}

// ready is nil while the gateway takes clients: serving (registered, with
// ZooKeeper or etcd) and not draining.
func (s *Server) ready() error {
	select {
	case <-s.serving:
	default:
		return errors.New("starting: not serving and registered yet")
	}
	if s.handler.draining.Load() {
		return errors.New("draining: this gateway is stopping")
	}
	return nil
}
