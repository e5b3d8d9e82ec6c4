// Package connect opens the configured discovery backend — ZooKeeper or
// etcd — for the gateway, its engines, beeline and kitsune ctl alike, so
// that choosing a backend is made in one place.
package connect
