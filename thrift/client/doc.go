// Package client dials a HiveServer2 endpoint over the binary transport
// (SASL PLAIN or NOSASL) or HTTP and returns a TCLIService client. The
// gateway uses it to reach engines; kitsune beeline and the benchmarks use it
// to reach gateways.
package client
