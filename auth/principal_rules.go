package auth

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrPrincipalMapping is a Kerberos principal that no rule maps to a user
// name.
var ErrPrincipalMapping = errors.New("no kitsune.authentication.kerberos.principal.rules rule maps the principal to a user name")

// PrincipalRules map an authenticated Kerberos principal to the short user
// name a session runs as, with Hadoop's hadoop.security.auth_to_local
// syntax, so that a cluster's existing rules can be pasted as they are:
//
//	RULE:[<components>:<format>](<regexp>)s/<pattern>/<replacement>/[g][/L]
//	DEFAULT
//
// Rules are tried in order; the first that applies wins. With no rules at
// all, the realm is stripped and the first component is the user (the
// issue's "strip the realm"), whatever the realm.
type PrincipalRules struct {
	rules        []principalRule
	defaultRealm string
}

type principalRule struct {
	isDefault  bool
	components int
	format     string
	match      *regexp.Regexp
	from       *regexp.Regexp
	to         string
	global     bool
	lower      bool
}

// ruleSyntax is one rule, anchored where the previous one ended.
var ruleSyntax = regexp.MustCompile(`^\s*(?:(DEFAULT)|RULE:\[(\d+):([^\]]*)\](?:\(([^)]*)\))?(?:s/([^/]*)/([^/]*)/(g)?)?)/?(L)?`)

// ParsePrincipalRules parses rules (newline- or space-separated).
// defaultRealm is the realm DEFAULT applies to (the server principal's).
func ParsePrincipalRules(text, defaultRealm string) (*PrincipalRules, error) {
	pr := &PrincipalRules{defaultRealm: defaultRealm}
	rest := strings.TrimSpace(text)
	for rest != "" {
		m := ruleSyntax.FindStringSubmatchIndex(rest)
		if m == nil {
			return nil, fmt.Errorf("kitsune.authentication.kerberos.principal.rules: cannot parse %q: write RULE:[n:format](regexp)s/pattern/replacement/[g] or DEFAULT", firstWord(rest))
		}
		sub := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return rest[m[2*i]:m[2*i+1]]
		}
		r := principalRule{isDefault: sub(1) != "", lower: sub(8) != ""}
		if !r.isDefault {
			r.components, _ = strconv.Atoi(sub(2))
			r.format = sub(3)
			var err error
			if re := sub(4); re != "" {
				if r.match, err = regexp.Compile("^(?:" + re + ")$"); err != nil {
					return nil, fmt.Errorf("kitsune.authentication.kerberos.principal.rules: regexp %q: %w", re, err)
				}
			}
			if m[10] >= 0 {
				if r.from, err = regexp.Compile(sub(5)); err != nil {
					return nil, fmt.Errorf("kitsune.authentication.kerberos.principal.rules: pattern %q: %w", sub(5), err)
				}
				r.to, r.global = javaGroupRef.ReplaceAllString(sub(6), "$${${1}}"), sub(7) != ""
			}
		}
		pr.rules = append(pr.rules, r)
		rest = strings.TrimSpace(rest[m[1]:])
	}
	return pr, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \n\t"); i > 0 {
		return s[:i]
	}
	return s
}

// ShortName returns the user name for principal ("primary[/instance]@REALM").
func (pr *PrincipalRules) ShortName(principal string) (string, error) {
	name, realm := principal, ""
	if i := strings.LastIndexByte(principal, '@'); i >= 0 {
		name, realm = principal[:i], principal[i+1:]
	}
	comps := strings.Split(name, "/")
	if len(pr.rules) == 0 {
		return comps[0], nil
	}
	for _, r := range pr.rules {
		if r.isDefault {
			if realm == pr.defaultRealm {
				return lowerIf(comps[0], r.lower), nil
			}
			continue
		}
		if r.components != len(comps) {
			continue
		}
		base := expandFormat(r.format, realm, comps)
		if r.match != nil && !r.match.MatchString(base) {
			continue
		}
		out := base
		if r.from != nil {
			if r.global {
				out = r.from.ReplaceAllString(base, r.to)
			} else if loc := r.from.FindStringSubmatchIndex(base); loc != nil {
				out = base[:loc[0]] + string(r.from.ExpandString(nil, r.to, base, loc)) + base[loc[1]:]
			}
		}
		if strings.ContainsAny(out, "@/") {
			return "", fmt.Errorf("%w: %s became %q, which is not a user name", ErrPrincipalMapping, principal, out)
		}
		return lowerIf(out, r.lower), nil
	}
	return "", fmt.Errorf("%w: %s", ErrPrincipalMapping, principal)
}

func lowerIf(s string, lower bool) string {
	if lower {
		return strings.ToLower(s)
	}
	return s
}

// expandFormat replaces $0 (realm) and $1..$n (components) in format.
func expandFormat(format, realm string, comps []string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] == '$' && i+1 < len(format) && format[i+1] >= '0' && format[i+1] <= '9' {
			n := int(format[i+1] - '0')
			if n == 0 {
				b.WriteString(realm)
			} else if n <= len(comps) {
				b.WriteString(comps[n-1])
			}
			i++
			continue
		}
		b.WriteByte(format[i])
	}
	return b.String()
}

// javaGroupRef is Java's $1 group reference in a replacement; it becomes
// Go's ${1}, so that "$1x" keeps meaning group 1 followed by x.
var javaGroupRef = regexp.MustCompile(`\$(\d)`)
