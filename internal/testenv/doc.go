// Package testenv starts real components for tests — ZooKeeper today — on
// free loopback ports in temporary directories, and stops them in cleanup.
// The project's install script (scripts/install-test-deps.sh) installs them.
package testenv
