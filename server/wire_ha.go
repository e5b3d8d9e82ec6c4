package server

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/zk"
	"github.com/kitsune-sql/kitsune/tenancy"
)

// haParts are the ZooKeeper connection and registry when kitsune.ha.addresses
// is set; all nil for a single node.
type haParts struct {
	addresses []string
	conn      discovery.Conn
	registry  *discovery.Registry
	digest    string
	spaces    tenancy.Spaces
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
	zcfg := zk.Config{Addresses: h.addresses, SessionTimeout: cfg.HA.SessionTimeout, ConnectTimeout: cfg.HA.ConnectTimeout}
	switch cfg.HA.AuthType {
	case "DIGEST":
		if zcfg.Digest = cfg.HA.Digest; zcfg.Digest == "" {
			return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=DIGEST needs kitsune.ha.zookeeper.auth.digest=user:password")
		}
	case "KERBEROS":
		return nil, fmt.Errorf("kitsune.ha.zookeeper.auth.type=KERBEROS is not supported yet: use NONE or DIGEST")
	}
	h.digest = zcfg.Digest
	var err error
	if h.conn, err = zk.Dial(zcfg, lg); err != nil {
		return nil, err
	}
	h.registry = discovery.NewRegistry(h.conn, cfg.HA.Namespace)
	h.spaces = tenancy.Spaces{Namespace: cfg.HA.Namespace, Version: Version}
	return h, nil
}
