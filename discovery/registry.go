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
