package beeline

import (
	"reflect"
	"testing"
)

func TestParseURL(t *testing.T) {
	u, err := ParseURL("jdbc:hive2://gw.example:10019/sales;transportMode=http;httpPath=/cli/;user=ann?spark.executor.memory=2g;x=1#day=2024-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if u.Addr() != "gw.example:10019" || u.Database != "sales" || u.Session["user"] != "ann" {
		t.Errorf("parsed %+v", u)
	}
	if ok, p := u.HTTP(); !ok || p != "cli" {
		t.Errorf("HTTP() = %v %q", ok, p)
	}
	if !reflect.DeepEqual(u.HiveConf, map[string]string{"spark.executor.memory": "2g", "x": "1"}) || u.HiveVar["day"] != "2024-01-01" {
		t.Errorf("confs %v vars %v", u.HiveConf, u.HiveVar)
	}
	u, _ = ParseURL("jdbc:hive2://")
	if u.Addr() != "127.0.0.1:10009" || u.Database != "default" {
		t.Errorf("defaults: %s %s", u.Addr(), u.Database)
	}
	if _, err := ParseURL("jdbc:mysql://x"); err == nil {
		t.Error("non-hive2 URL accepted")
	}
}

func TestSplitStatements(t *testing.T) {
	for in, want := range map[string][]string{
		"SELECT 1":                          {"SELECT 1"},
		"SELECT 1; SELECT 2;":               {"SELECT 1", "SELECT 2"},
		"SELECT 'a;b'; -- c;\nSELECT `x;y`": {"SELECT 'a;b'", "SELECT `x;y`"},
		"SELECT 'it\\'s;'":                  {"SELECT 'it\\'s;'"},
		" ; ;":                              nil,
	} {
		if got := SplitStatements(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitStatements(%q) = %q, want %q", in, got, want)
		}
	}
	if _, complete := splitComplete("SELECT 1\n"); complete {
		t.Error("unterminated statement taken as complete")
	}
	if s, complete := splitComplete("SELECT 1;\n"); !complete || len(s) != 1 {
		t.Errorf("terminated statement: %v %v", s, complete)
	}
}
