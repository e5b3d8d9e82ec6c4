// Package sasl implements the SASL negotiation that HiveServer2 clients run
// at the start of a binary Thrift connection, PLAIN and GSSAPI (RFC 4752),
// on both the server and the client side, and nothing else: after a
// successful negotiation with QOP auth, messages travel in plain 4-byte
// length frames. The Kerberos work itself (tokens, keys) is behind the
// GSSAcceptor and GSSInitiator interfaces, implemented in package auth.
package sasl
