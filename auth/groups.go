package auth

import (
	"bufio"
	"fmt"
	"os"
	"os/user"
	"strings"
)

// GroupProvider tells which groups a user is in, primary group first.
type GroupProvider interface {
	Groups(user string) []string
}

type osGroups struct{}

// OSGroups reads the operating system's groups; a user unknown to the
// system is in a group of its own name (as Hadoop's default mapping does).
func OSGroups() GroupProvider { return osGroups{} }

func (osGroups) Groups(name string) []string {
	u, err := user.Lookup(name)
	if err != nil {
		return []string{name}
	}
	var out []string
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		out = append(out, g.Name)
	}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := user.LookupGroupId(id); err == nil && (len(out) == 0 || g.Name != out[0]) {
				out = append(out, g.Name)
			}
		}
	}
	if len(out) == 0 {
		out = []string{name}
	}
	return out
}

type staticGroups map[string][]string

// StaticGroups reads a mapping file of "user=group1,group2" lines.
func StaticGroups(path string) (GroupProvider, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kitsune.session.group.mapping: %w", err)
	}
	defer f.Close()
	m := staticGroups{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, gs, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("kitsune.session.group.mapping %s:%d: expected user=group1,group2", path, n)
		}
		for _, g := range strings.Split(gs, ",") {
			if g = strings.TrimSpace(g); g != "" {
				m[strings.TrimSpace(u)] = append(m[strings.TrimSpace(u)], g)
			}
		}
	}
	return m, sc.Err()
}

func (m staticGroups) Groups(user string) []string {
	if gs := m[user]; len(gs) > 0 {
		return gs
	}
	return []string{user}
}
