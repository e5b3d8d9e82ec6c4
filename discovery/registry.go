package discovery

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Registry is the typed layer over a Conn: where gateways (and, with high
// availability, engines) register, in Kyuubi's and HiveServer2's layout.
type Registry struct {
	conn      Conn
	namespace string
}

// NewRegistry returns the registry of namespace (kitsune.ha.namespace).
func NewRegistry(c Conn, namespace string) *Registry {
	return &Registry{conn: c, namespace: strings.Trim(namespace, "/")}
}

// Server is one registered gateway.
type Server struct {
	Host    string
	Port    int
	Version string
	// Node is the znode's full path.
	Node string
}

// Addr is host:port.
func (s Server) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// RegisterServer registers a gateway as an ephemeral sequential child of
// /<namespace> named serverUri=host:port;version=V;sequence=NNNNNNNNNN —
// the name Hive JDBC, gohive and Kyuubi's clients read. data is host:port
// or, with published configs, HiveServer2's key=value;… form.
func (r *Registry) RegisterServer(ctx context.Context, host string, port int, version string, data string) (string, error) {
	name := fmt.Sprintf("/%s/serverUri=%s:%d;version=%s;sequence=", r.namespace, host, port, version)
	p, err := r.conn.Create(ctx, name, []byte(data), EphemeralSequential)
	if err != nil {
		return "", fmt.Errorf("register gateway %s:%d under /%s: %w", host, port, r.namespace, err)
	}
	return p, nil
}

// Deregister removes a registration (a node that is already gone is fine).
func (r *Registry) Deregister(ctx context.Context, node string) error {
	if err := r.conn.Delete(ctx, node); err != nil && !errors.Is(err, ErrNoNode) {
		return err
	}
	return nil
}

// Servers lists the registered gateways, in sequence order.
func (r *Registry) Servers(ctx context.Context) ([]Server, error) {
	kids, err := r.conn.Children(ctx, "/"+r.namespace)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, k := range kids {
		f := ParseName(k)
		hostPort := f["serverUri"]
		i := strings.LastIndexByte(hostPort, ':')
		if i < 0 {
			continue
		}
		var port int
		if _, err := fmt.Sscanf(hostPort[i+1:], "%d", &port); err != nil {
			continue
		}
		out = append(out, Server{Host: hostPort[:i], Port: port, Version: f["version"], Node: "/" + r.namespace + "/" + k})
	}
	sort.Slice(out, func(i, j int) bool { return sequence(out[i].Node) < sequence(out[j].Node) })
	return out, nil
}

// ParseName splits a registration name on ';' and then on the first '='.
func ParseName(name string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(name, ";") {
		k, v, _ := strings.Cut(part, "=")
		out[k] = v
	}
	return out
}

// Engine is one registered engine.
type Engine struct {
	Addr  string
	RefID string
	Node  string
}

// RegisterEngine registers an engine in space as
// serverUri=host:port;version=V;refId=ID;sequence=NNNNNNNNNN.
func (r *Registry) RegisterEngine(ctx context.Context, space, addr, version, refID string) (string, error) {
	name := fmt.Sprintf("%s/serverUri=%s;version=%s;refId=%s;sequence=", space, addr, version, refID)
	p, err := r.conn.Create(ctx, name, []byte(addr), EphemeralSequential)
	if err != nil {
		return "", fmt.Errorf("register engine %s in %s: %w", refID, space, err)
	}
	return p, nil
}

// Engines lists the engines registered in space, oldest first.
func (r *Registry) Engines(ctx context.Context, space string) ([]Engine, error) {
	kids, err := r.conn.Children(ctx, space)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Engine
	for _, k := range kids {
		f := ParseName(k)
		if f["serverUri"] == "" {
			continue
		}
		out = append(out, Engine{Addr: f["serverUri"], RefID: f["refId"], Node: space + "/" + k})
	}
	sort.Slice(out, func(i, j int) bool { return sequence(out[i].Node) < sequence(out[j].Node) })
	return out, nil
}

// Secret returns the deployment's engine secret from /<namespace>_secret,
// creating it with fresh (random) once when no gateway has yet. The node is
// private to the gateways' ZooKeeper identity: anyone who could read it
// could open engine sessions as any user.
func (r *Registry) Secret(ctx context.Context, fresh string) (string, error) {
	return r.private(ctx, "/"+r.namespace+"_secret", fresh)
}

// CookieKey returns the key the deployment's gateways sign HTTP
// authentication cookies with, from /<namespace>_cookie_key, created with
// fresh once; private like the engine secret and independent of it.
func (r *Registry) CookieKey(ctx context.Context, fresh string) (string, error) {
	return r.private(ctx, "/"+r.namespace+"_cookie_key", fresh)
}

func (r *Registry) private(ctx context.Context, p, fresh string) (string, error) {
	_, err := r.conn.Create(ctx, p, []byte(fresh), PersistentPrivate)
	switch {
	case errors.Is(err, ErrNodeExists):
		// Created by another gateway, or by an older version readable by
		// all: make sure only the gateways' identity can read it.
		if pm, ok := r.conn.(PrivateMaker); ok {
			if err := pm.MakePrivate(ctx, p); err != nil {
				return "", fmt.Errorf("restrict %s to the gateways' ZooKeeper identity (the same kitsune.ha.zookeeper.auth.digest on every gateway): %w", p, err)
			}
		}
	case err != nil:
		return "", fmt.Errorf("create %s: %w", p, err)
	}
	b, err := r.conn.Get(ctx, p)
	if err != nil {
		return "", fmt.Errorf("read %s (every gateway needs the same kitsune.ha.zookeeper.auth.digest): %w", p, err)
	}
	return string(b), nil
}

// Conn is the registry's connection.
func (r *Registry) Conn() Conn { return r.conn }
