package connect

import (
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/etcd"
	"github.com/kitsune-sql/kitsune/discovery/zk"
)

// The backends.
const (
	ZooKeeper = "ZOOKEEPER"
	Etcd      = "ETCD"
)

// Class reads kitsune.ha.client.class: ZOOKEEPER, ETCD, or Kyuubi's class
// names for them.
func Class(v string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "", ZooKeeper, "ORG.APACHE.KYUUBI.HA.CLIENT.ZOOKEEPER.ZOOKEEPERDISCOVERYCLIENT":
		return ZooKeeper, nil
	case Etcd, "ORG.APACHE.KYUUBI.HA.CLIENT.ETCD.ETCDDISCOVERYCLIENT":
		return Etcd, nil
	}
	return "", fmt.Errorf("kitsune.ha.client.class=%s: use ZOOKEEPER or ETCD (Kyuubi's ZookeeperDiscoveryClient and EtcdDiscoveryClient mean the same)", v)
}

// Config is what opening a backend needs.
type Config struct {
	Class     string // ZOOKEEPER (default) or ETCD
	Addresses []string
	// SessionTimeout is ZooKeeper's session; LeaseTTL etcd's lease.
	SessionTimeout, LeaseTTL, ConnectTimeout time.Duration
	// Credentials: ZooKeeper's digest "user:password"; etcd's user and
	// password as "user:password" too.
	Credentials string
	// CA, Cert, Key: etcd's TLS.
	CA, Cert, Key string
}

// Open connects to the backend.
func Open(cfg Config, lg *zap.Logger) (discovery.Conn, error) {
	class, err := Class(cfg.Class)
	if err != nil {
		return nil, err
	}
	if class == Etcd {
		user, pass, _ := strings.Cut(cfg.Credentials, ":")
		return etcd.Dial(etcd.Config{Endpoints: cfg.Addresses, LeaseTTL: cfg.LeaseTTL, ConnectTimeout: cfg.ConnectTimeout, User: user, Password: pass,
			CA: cfg.CA, Cert: cfg.Cert, Key: cfg.Key}, lg)
	}
	return zk.Dial(zk.Config{Addresses: cfg.Addresses, SessionTimeout: cfg.SessionTimeout, ConnectTimeout: cfg.ConnectTimeout, Digest: cfg.Credentials}, lg)
}
