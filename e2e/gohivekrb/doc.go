// Command gohivekrb is a real third-party Kerberos client for the e2e
// tests: github.com/beltran/gohive built with -tags kerberos, which logs in
// through MIT's libgssapi_krb5 from the ticket cache (KRB5CCNAME) and
// krb5.conf (KRB5_CONFIG) of its environment, runs one query and prints
// the first column of the first row.
//
//	gohivekrb -host localhost -port 10009 [-http] [-service hive] [-conf k=v] 'SELECT current_user()'
package main
