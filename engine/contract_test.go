package engine

import (
	"bytes"
	"io"
	"reflect"
	"testing"
	"time"
)

func TestLocalArgsRoundTrip(t *testing.T) {
	for _, a := range []LocalArgs{
		{ID: "e1", User: "ann", Home: "/w/ann", Database: "/w/ann/default/spark_catalog.duckdb", Bind: "127.0.0.1", ReadyFD: 3, SecretsFD: 4,
			Confine: true, IdleTimeout: 31 * time.Minute, LogLevel: "info", HAAddresses: []string{"zk1:2181", "zk2:2181"},
			HASpace: "/kitsune_0.1.0_USER_DUCKDB/ann/default", Confs: map[string]string{"kitsune.engine.memory": "1g", "kitsune.engine.cores": "2"}},
		{ID: "local", User: "bob", Bind: "0.0.0.0", Port: 10011, LogLevel: "debug", Confs: map[string]string{}},
		{ID: "e2", User: "cid", Bind: "127.0.0.1", LogLevel: "info", HAAddresses: []string{"etcd1:2379"}, HASpace: "/kitsune_0.1.0_USER_DUCKDB/cid/default",
			HAClass: "ETCD", HATLS: []string{"/etc/ca.pem", "/etc/c.pem", "/etc/k.pem"}, Confs: map[string]string{},
			Shared: []Shared{{Name: "sales", Format: "parquet", Path: "/data/sales"}, {Name: "drop", Format: "files", Path: "/data/drop:x", Write: true}}},
	} {
		args := a.Args()
		if args[0] != "engine" {
			t.Fatalf("subcommand %q", args[0])
		}
		back, err := ParseLocalArgs(args[1:], io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, a) {
			t.Errorf("round trip:\n got %+v\nwant %+v", back, a)
		}
	}
	if _, err := ParseLocalArgs([]string{"--shared", "sales=parquet:x:/p"}, io.Discard); err == nil {
		t.Error("a --shared with a bad mode was accepted")
	}
	if _, err := ParseLocalArgs([]string{"--conf", "novalue"}, io.Discard); err == nil {
		t.Error("a --conf without = was accepted")
	}
}

func TestSecretsRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSecrets(&buf, "s3cret", "kitsune:pw"); err != nil {
		t.Fatal(err)
	}
	s, d, err := ReadSecrets(&buf)
	if err != nil || s != "s3cret" || d != "kitsune:pw" {
		t.Errorf("read %q %q %v", s, d, err)
	}
	if err := WriteSecrets(&buf, "two\nlines", ""); err == nil {
		t.Error("a secret with a line break was written")
	}
}
