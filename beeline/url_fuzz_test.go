package beeline

import "testing"

// FuzzParseURL parses arbitrary JDBC URLs: no panic; a URL is refused or
// yields a host, a port in range and a database.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"jdbc:hive2://127.0.0.1:10009/default",
		"jdbc:hive2://h:10010/db;transportMode=http;httpPath=cliservice?spark.x=1#v=2",
		"jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=kitsune",
		"jdbc:hive2://h:99999999999999999999/", "jdbc:hive2://;;;??##", "jdbc:hive2://[::1]:1/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseURL(raw)
		if err != nil {
			return
		}
		if u.Port < 0 || u.Port > 65535 || u.Database == "" || u.Session == nil {
			t.Fatalf("%q parsed to %+v", raw, u)
		}
	})
}
