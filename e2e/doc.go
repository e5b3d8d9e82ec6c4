// Package e2e holds kitsune's end-to-end tests: they build the kitsune
// binary once, start real gateways on free loopback ports and drive them
// with real third-party HiveServer2 clients (gohive, npm hive-driver) and
// kitsune's own client.
package e2e
