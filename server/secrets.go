package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"go.uber.org/zap"

	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/discovery"
)

// engineSecret is the deployment's engine secret: configured, or kept in a
// ZooKeeper node only the gateways' digest identity can read, or (single
// node) random for this process. Keeping it in ZooKeeper without
// authentication would hand it to anyone who can read ZooKeeper, and with
// it every engine session as any user: that is refused.
func engineSecret(cfg *conf.Config, registry *discovery.Registry, zkDigest string) (string, error) {
	if cfg.EngineSecret != "" {
		return cfg.EngineSecret, nil
	}
	fresh := randomHex(24)
	if registry == nil {
		return fresh, nil
	}
	if zkDigest == "" {
		return "", fmt.Errorf("the engine secret would be readable by anyone who can read ZooKeeper or etcd: set kitsune.engine.security.secret " +
			"(the same on every gateway), or kitsune.ha.zookeeper.auth.type=DIGEST with kitsune.ha.zookeeper.auth.digest (etcd: kitsune.ha.etcd.user " +
			"and kitsune.ha.etcd.password) so that it is kept in a node only the gateways can read")
	}
	return registry.Secret(context.Background(), fresh)
}

// cookieKeyRing is what signs HTTP authentication cookies, never derived
// from the engine secret: the keys of kitsune.frontend.thrift.http.cookie.key.file,
// or a random key kept in a private ZooKeeper node (shared by the
// deployment's gateways), or nil (a random key for this process).
func cookieKeyRing(cfg *conf.Config, registry *discovery.Registry, zkDigest string, lg *zap.Logger) (func() [][]byte, error) {
	if path := cfg.Cookie.KeyFile; path != "" {
		r, err := newFileKeyRing(path, lg)
		if err != nil {
			return nil, err
		}
		return r.Keys, nil
	}
	if registry == nil || zkDigest == "" {
		return nil, nil
	}
	key, err := registry.CookieKey(context.Background(), randomHex(32))
	if err != nil {
		return nil, err
	}
	return func() [][]byte { return [][]byte{[]byte(key)} }, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
