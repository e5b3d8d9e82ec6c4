// Package auth decides who a client is and who it may act as. Password
// methods (NONE: any user and password, as HiveServer2's NONE; LDAP: a
// directory bind) are Authenticators; Kerberos is an acceptor of GSS-API
// tokens (AP-REQ verification with a keytab, AP-REP for mutual
// authentication, RFC 4121 wrap tokens) plus the client-side initiator
// kitsune beeline uses, and PrincipalRules map principals to user names.
// Kinit keeps the gateway's own ticket fresh; ProxyRules decide
// impersonation; group providers feed share levels and proxy rules.
package auth
