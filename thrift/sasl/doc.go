// Package sasl implements the SASL negotiation that HiveServer2 clients run
// at the start of a binary Thrift connection (PLAIN for now), on both the
// server and the client side, and nothing else: after a successful
// negotiation with QOP auth, messages travel in plain 4-byte length frames.
package sasl
