package authz

import (
	"cmp"
	"slices"
	"strings"
)

// Access types of the Hive service.
const (
	Select = "select"
	Update = "update"
	Create = "create"
	Drop   = "drop"
	Alter  = "alter"
)

// listAccesses are the access types any of which makes a resource visible
// in listings.
var listAccesses = []string{Select, Update, Create, Drop, Alter, "index", "lock", "read", "write"}

// Subject is who asks: a user and the groups the gateway found for it.
type Subject struct {
	User   string
	Groups []string
}

// Decision is the answer to one request; PolicyID is the policy that
// decided it, -1 when none did (and the request is denied).
type Decision struct {
	Allowed  bool
	PolicyID int64
}

// Policies is one loaded policy document, ready to answer; it is never
// changed once built, so any number of sessions may ask at once.
type Policies struct {
	version int64
	access  []*policy // table policies by priority, highest first
	masks   []*policy
	filters []*policy
	roles   []role
}

func newPolicies(doc servicePolicies) *Policies {
	ps := &Policies{version: doc.PolicyVersion, roles: doc.RangerRoles}
	for i := range doc.Policies {
		p := &doc.Policies[i]
		if (p.IsEnabled != nil && !*p.IsEnabled) || !p.tablePolicy() {
			continue
		}
		switch p.PolicyType {
		case policyAccess:
			ps.access = append(ps.access, p)
		case policyDataMask:
			ps.masks = append(ps.masks, p)
		case policyRowFilter:
			ps.filters = append(ps.filters, p)
		}
	}
	for _, l := range [][]*policy{ps.access, ps.masks, ps.filters} {
		slices.SortStableFunc(l, func(a, b *policy) int { return cmp.Compare(b.PolicyPriority, a.PolicyPriority) })
	}
	return ps
}

// Version is the document's policyVersion.
func (ps *Policies) Version() int64 { return ps.version }

// principal is a subject with its roles resolved.
type principal struct {
	user   string
	groups map[string]bool
	roles  map[string]bool
}

func (ps *Policies) principal(s Subject) principal {
	pr := principal{user: s.User, groups: map[string]bool{"public": true}, roles: map[string]bool{}}
	for _, g := range s.Groups {
		pr.groups[g] = true
	}
	// Roles hold users, groups and other roles: grow the set until no
	// role is added.
	for changed := true; changed; {
		changed = false
		for _, r := range ps.roles {
			if pr.roles[r.Name] || !pr.inRole(r) {
				continue
			}
			pr.roles[r.Name], changed = true, true
		}
	}
	return pr
}

func (pr principal) inRole(r role) bool {
	for _, m := range r.Users {
		if m.Name == pr.user {
			return true
		}
	}
	for _, m := range r.Groups {
		if pr.groups[m.Name] {
			return true
		}
	}
	for _, m := range r.Roles {
		if pr.roles[m.Name] {
			return true
		}
	}
	return false
}

// holds reports whether the item names the principal.
func (it item) holds(pr principal) bool {
	return slices.Contains(it.Users, pr.user) || slices.ContainsFunc(it.Groups, func(g string) bool { return pr.groups[g] }) ||
		slices.ContainsFunc(it.Roles, func(r string) bool { return pr.roles[r] })
}

// grants reports whether the item covers the access type (all covers
// every type).
func (it item) grants(access string) bool {
	return slices.ContainsFunc(it.Accesses, func(a itemAccess) bool {
		return (a.IsAllowed == nil || *a.IsAllowed) && (strings.EqualFold(a.Type, access) || strings.EqualFold(a.Type, "all"))
	})
}

// applies: the item names the principal for the access type and no
// exception takes it back.
func applies(items, exceptions []item, pr principal, access string, conditionsCount bool) bool {
	for _, it := range items {
		// An item with conditions (IP ranges, expressions) is not
		// evaluated here: it never allows, and always denies.
		if len(it.Conditions) > 0 && !conditionsCount {
			continue
		}
		if !it.holds(pr) || !it.grants(access) {
			continue
		}
		excepted := slices.ContainsFunc(exceptions, func(e item) bool { return len(e.Conditions) == 0 && e.holds(pr) && e.grants(access) })
		if !excepted {
			return true
		}
	}
	return false
}

// Checker answers one subject's requests against one policy document.
type Checker struct {
	ps *Policies
	pr principal
}

// For is the subject's checker (its roles resolved once).
func (ps *Policies) For(s Subject) Checker { return Checker{ps: ps, pr: ps.principal(s)} }

// Decide answers one access request as Ranger does: policies of a higher
// priority first; within one priority a deny item beats an allow item; a
// policy with isDenyAllElse denies what it does not allow; nothing
// matching denies.
func (c Checker) Decide(access string, r Resource) Decision {
	return c.ps.decide(c.pr, access, r, false)
}

func (ps *Policies) decide(pr principal, access string, r Resource, descendants bool) Decision {
	for i := 0; i < len(ps.access); {
		j := i
		for j < len(ps.access) && ps.access[j].PolicyPriority == ps.access[i].PolicyPriority {
			j++
		}
		group := ps.access[i:j]
		i = j
		var allowedBy *policy
		for _, p := range group {
			// Looking inside r (listings), a policy on something inside it
			// may allow, but only a policy on r itself denies.
			self := p.matches(r, pr.user, false)
			if !self && (!descendants || !p.matches(r, pr.user, true)) {
				continue
			}
			if self && applies(p.DenyItems, p.DenyExcepts, pr, access, true) {
				return Decision{PolicyID: p.ID}
			}
			allowed := applies(p.PolicyItems, p.AllowExcepts, pr, access, false)
			if allowed && allowedBy == nil {
				allowedBy = p
			}
			if self && !allowed && p.IsDenyAllElse {
				return Decision{PolicyID: p.ID}
			}
		}
		if allowedBy != nil {
			return Decision{Allowed: true, PolicyID: allowedBy.ID}
		}
	}
	return Decision{PolicyID: -1}
}

// Visible reports whether the subject may see r in listings: some access
// on it or on something inside it is allowed.
func (c Checker) Visible(r Resource) bool {
	for _, a := range listAccesses {
		if c.ps.decide(c.pr, a, r, true).Allowed {
			return true
		}
	}
	return false
}

// Filter is a row filter in force: its expression (Spark SQL over the
// table's columns) and the policy it came from.
type Filter struct {
	Expr     string
	PolicyID int64
}

// RowFilter is the row filter on a table for the subject: the first
// row-filter policy (highest priority first) with an item for it.
func (c Checker) RowFilter(database, table string) (Filter, bool) {
	pr := c.pr
	r := Resource{Database: database, Table: table}
	for _, p := range c.ps.filters {
		if !p.matches(r, pr.user, false) {
			continue
		}
		for _, fi := range p.FilterItems {
			if len(fi.Conditions) == 0 && fi.holds(pr) && fi.grants(Select) {
				expr := strings.TrimSpace(fi.RowFilterInfo.FilterExpr)
				return Filter{Expr: expr, PolicyID: p.ID}, expr != ""
			}
		}
	}
	return Filter{}, false
}

// ColumnMask is a data mask in force on a column: its type, the CUSTOM
// expression ({col} stands for the column) and the policy it came from.
type ColumnMask struct {
	Type      string
	ValueExpr string
	PolicyID  int64
}

// Mask is the mask on a column for the subject: the first data-mask
// policy with an item for it; MASK_NONE is no mask.
func (c Checker) Mask(r Resource) (ColumnMask, bool) {
	pr := c.pr
	for _, p := range c.ps.masks {
		if !p.matches(r, pr.user, false) {
			continue
		}
		for _, mi := range p.MaskItems {
			if len(mi.Conditions) == 0 && mi.holds(pr) && mi.grants(Select) {
				t := strings.ToUpper(mi.DataMaskInfo.DataMaskType)
				return ColumnMask{Type: t, ValueExpr: mi.DataMaskInfo.ValueExpr, PolicyID: p.ID}, t != MaskNone
			}
		}
	}
	return ColumnMask{}, false
}
