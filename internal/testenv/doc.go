// Package testenv starts real components for tests on free loopback ports
// in temporary directories and stops them in cleanup: ZooKeeper,
// PostgreSQL, slapd (LDAP), an MIT Kerberos KDC, and a TCP proxy that can
// cut a link. The project's install script (scripts/install-test-deps.sh)
// installs them. Eventually is the one helper for asynchronous assertions.
package testenv
