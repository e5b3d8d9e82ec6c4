// Package server is the kitsune gateway: a TCLIService that authenticates
// sessions, asks tenancy which engine serves each (handler.go), and
// forwards every other call to it through one forwarding table
// (forward.go: the request's handle picks the session, the bytes pass
// through); and the process lifecycle that listens on the binary and HTTP
// transports, registers in ZooKeeper and drains on shutdown (server.go),
// assembled by one builder per subsystem (wire_*.go).
package server
