// Package server is the kitsune gateway: a TCLIService that authenticates
// sessions, finds or launches each tenant's engine and forwards every call to
// it (handler.go), and the process lifecycle that listens on the binary and
// HTTP transports and drains on shutdown (server.go).
package server
