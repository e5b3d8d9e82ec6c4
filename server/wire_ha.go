package server

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/connect"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// haParts are the discovery connection (ZooKeeper or etcd) and registry when kitsune.ha.addresses
// is set; all nil for a single node.
type haParts struct {
	addresses []string
	// class is the backend (connect.ZooKeeper or connect.Etcd).
	class    string
	tls      []string // etcd's CA, certificate and key
	conn     discovery.Conn
	registry *discovery.Registry
	digest   string
	spaces   tenancy.Spaces
}

func (h *haParts) close() {
	if h.conn != nil {
		h.conn.Close()
	}
}

// space names an engine's space in the registry.
func (h *haParts) space(k tenancy.Key) string { return h.spaces.Path(k) }

// buildHA connects to ZooKeeper: with it, engines are shared by every
// gateway of the deployment, the secret is kept there (unless configured)
// and engines register in their engine space.
func buildHA(cfg *conf.Config, lg *zap.Logger) (*haParts, error) {
	h := &haParts{addresses: cfg.HA.Addresses}
	if len(h.addresses) == 0 {
		return h, nil
	}
	class, err := connect.Class(cfg.HA.ClientClass)
	if err != nil {
		return nil, err
	}
	ccfg := connect.Config{Class: class, Addresses: h.addresses, SessionTimeout: cfg.HA.SessionTimeout, ConnectTimeout: cfg.HA.ConnectTimeout,
		LeaseTTL: cfg.HA.EtcdLease, CA: cfg.HA.EtcdCA, Cert: cfg.HA.EtcdCert, Key: cfg.HA.EtcdKey}
	if class == connect.Etcd {
		if cfg.HA.EtcdUser != "" {
			ccfg.Credentials = cfg.HA.EtcdUser + ":" + cfg.HA.EtcdPassword
		}
	} else {
		switch cfg.HA.AuthType {
		case "DIGEST":
			if ccfg.Credentials = cfg.HA.Digest; ccfg.Credentials == "" {
				return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=DIGEST needs kitsune.ha.zookeeper.auth.digest=user:password")
			}
		case "KERBEROS":
			return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=KERBEROS is not supported yet: use NONE or DIGEST")
		}
	}
	h.class, h.digest = class, ccfg.Credentials
	if ccfg.CA != "" || ccfg.Cert != "" {
		h.tls = []string{ccfg.CA, ccfg.Cert, ccfg.Key}
	}
	if h.conn, err = connect.Open(ccfg, lg); err != nil {
		return nil, err
	}
	h.registry = discovery.NewRegistry(h.conn, cfg.HA.Namespace)
	h.spaces = tenancy.Spaces{Namespace: cfg.HA.Namespace, Version: Version}
	return h, nil
}
