// Package auth decides who a client is. NONE accepts any user name and
// password (HiveServer2's NONE); NOSASL is the same with no SASL exchange on
// the binary transport (the transport handles that difference).
package auth
