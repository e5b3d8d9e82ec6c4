package server

import (
	"testing"

	"github.com/kitsune-sql/kitsune/auth"
	"github.com/kitsune-sql/kitsune/conf"
	"github.com/kitsune-sql/kitsune/tenancy"
)

type groupsOf map[string][]string

func (g groupsOf) Groups(user string) []string { return g[user] }

var _ auth.GroupProvider = groupsOf{}

// Who reaches which shared location: named users, members of named
// groups, a GROUP engine of a named group; writers only of files.
func TestSharedFor(t *testing.T) {
	locs := map[string]conf.SharedLocation{
		"sales": {Path: "/data/sales", Format: "parquet", Users: []string{"alice"}, Groups: []string{"analysts"}, WriteUsers: []string{"alice"}},
		"drop":  {Path: "/data/drop", Format: "files", Users: []string{"*"}, WriteGroups: []string{"loaders"}},
	}
	f, err := sharedFor(locs, groupsOf{"bob": {"analysts"}, "wendy": {"loaders"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  tenancy.Key
		want string
	}{
		{tenancy.Key{User: "alice", ShareLevel: "USER"}, "drop:r sales:r"}, // a parquet location is never writable
		{tenancy.Key{User: "bob", ShareLevel: "USER"}, "drop:r sales:r"},
		{tenancy.Key{User: "wendy", ShareLevel: "USER"}, "drop:rw"},
		{tenancy.Key{User: "carol", ShareLevel: "USER"}, "drop:r"},
		{tenancy.Key{User: "analysts", ShareLevel: "GROUP"}, "drop:r sales:r"},
	} {
		got := ""
		for _, s := range f(c.key) {
			mode := "r"
			if s.Write {
				mode = "rw"
			}
			got += " " + s.Name + ":" + mode
		}
		if got != " "+c.want {
			t.Errorf("%v: %q, want %q", c.key, got, c.want)
		}
	}
	for _, bad := range []conf.SharedLocation{{Path: "relative", Format: "files"}, {Path: "/x", Format: "csv"}} {
		if _, err := sharedFor(map[string]conf.SharedLocation{"x": bad}, groupsOf{}); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
