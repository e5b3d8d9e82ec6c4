package tenancy

import (
	"fmt"
	"strings"
)

// Spaces names the discovery nodes engines register under, in Kyuubi's
// layout: the space of a key is
// /<namespace>_<version>_<SHARELEVEL>_<ENGINETYPE>/<user>/<subdomain>
// (the subdomain carries the profile in brackets when the key has one),
// and its creation lock is the same path with _lock after the root.
// It is the one place that formats and parses those names.
type Spaces struct {
	Namespace string // kitsune.ha.namespace, without slashes
	Version   string // the product version engines register with
}

// Path is the engine space of k.
func (sp Spaces) Path(k Key) string {
	return "/" + sp.root(k) + "/" + k.User + "/" + subdomainNode(k)
}

// LockPath is the creation lock of k's space.
func (sp Spaces) LockPath(k Key) string {
	return "/" + sp.root(k) + "_lock/" + k.User + "/" + subdomainNode(k)
}

func (sp Spaces) root(k Key) string {
	return fmt.Sprintf("%s_%s_%s_%s", strings.Trim(sp.Namespace, "/"), sp.Version, strings.ToUpper(k.ShareLevel), strings.ToUpper(k.Type))
}

func subdomainNode(k Key) string {
	if p := k.Profile.String(); p != "" {
		return k.Subdomain + "[" + p + "]"
	}
	return k.Subdomain
}

// Root is what a top-level node name says when it is an engine space root
// of this namespace (of any version).
type Root struct {
	Version, ShareLevel, Type string
}

// ParseRoot reads a top-level node name. It is false for other namespaces
// (kitsune_http is not kitsune's), for lock roots and for the secret and
// cookie-key nodes.
func (sp Spaces) ParseRoot(name string) (Root, bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "/"), strings.Trim(sp.Namespace, "/")+"_")
	if !ok || strings.HasSuffix(rest, "_lock") {
		return Root{}, false
	}
	version, levelType, ok := strings.Cut(rest, "_")
	if !ok || version == "" {
		return Root{}, false
	}
	level, typ, ok := splitLevelType(levelType)
	if !ok {
		return Root{}, false
	}
	return Root{Version: version, ShareLevel: level, Type: typ}, true
}

// Parse reads an engine space path /<root>/<user>/<subdomain[profile]>.
func (sp Spaces) Parse(path string) (Key, error) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return Key{}, fmt.Errorf("engine space %q: want /<root>/<user>/<subdomain>", path)
	}
	root, ok := sp.ParseRoot(parts[0])
	if !ok {
		return Key{}, fmt.Errorf("engine space %q: %q is not an engine space root of namespace %s", path, parts[0], sp.Namespace)
	}
	return ParseKey(root.ShareLevel + "_" + root.Type + "/" + parts[1] + "/" + parts[2])
}
