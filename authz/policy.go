package authz

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Ranger's policy types.
const (
	policyAccess    = 0
	policyDataMask  = 1
	policyRowFilter = 2
)

// servicePolicies is the document Ranger's policy-download endpoint
// answers (and its policy cache files hold); rangerRoles is the roles
// download, which kitsune keeps in the same file.
type servicePolicies struct {
	ServiceName   string   `json:"serviceName"`
	PolicyVersion int64    `json:"policyVersion"`
	Policies      []policy `json:"policies"`
	RangerRoles   []role   `json:"rangerRoles"`
}

type policy struct {
	ID             int64                     `json:"id"`
	Name           string                    `json:"name"`
	IsEnabled      *bool                     `json:"isEnabled"`
	PolicyType     int                       `json:"policyType"`
	PolicyPriority int                       `json:"policyPriority"`
	Resources      map[string]resourceValues `json:"resources"`
	PolicyItems    []item                    `json:"policyItems"`
	DenyItems      []item                    `json:"denyPolicyItems"`
	AllowExcepts   []item                    `json:"allowExceptions"`
	DenyExcepts    []item                    `json:"denyExceptions"`
	MaskItems      []maskItem                `json:"dataMaskPolicyItems"`
	FilterItems    []filterItem              `json:"rowFilterPolicyItems"`
	IsDenyAllElse  bool                      `json:"isDenyAllElse"`
}

type resourceValues struct {
	Values     []string `json:"values"`
	IsExcludes bool     `json:"isExcludes"`
}

type item struct {
	Accesses   []itemAccess      `json:"accesses"`
	Users      []string          `json:"users"`
	Groups     []string          `json:"groups"`
	Roles      []string          `json:"roles"`
	Conditions []json.RawMessage `json:"conditions"`
}

type itemAccess struct {
	Type      string `json:"type"`
	IsAllowed *bool  `json:"isAllowed"`
}

type maskItem struct {
	item
	DataMaskInfo struct {
		DataMaskType string `json:"dataMaskType"`
		ValueExpr    string `json:"valueExpr"`
	} `json:"dataMaskInfo"`
}

type filterItem struct {
	item
	RowFilterInfo struct {
		FilterExpr string `json:"filterExpr"`
	} `json:"rowFilterInfo"`
}

type role struct {
	Name   string       `json:"name"`
	Users  []roleMember `json:"users"`
	Groups []roleMember `json:"groups"`
	Roles  []roleMember `json:"roles"`
}

type roleMember struct {
	Name string `json:"name"`
}

// Mask types, as Ranger's Hive service defines them.
const (
	MaskNone         = "MASK_NONE"
	MaskNull         = "MASK_NULL"
	Mask             = "MASK"
	MaskShowLast4    = "MASK_SHOW_LAST_4"
	MaskShowFirst4   = "MASK_SHOW_FIRST_4"
	MaskHash         = "MASK_HASH"
	MaskDateShowYear = "MASK_DATE_SHOW_YEAR"
	MaskCustom       = "CUSTOM"
)

// ErrPolicy marks a policy document that cannot be used.
var ErrPolicy = errors.New("invalid authorization policies")

// Parse reads a policy document: Ranger's policy download (or a policy
// cache file, or an export with a "policies" list). Every error names the
// policy it is about.
func Parse(data []byte) (*Policies, error) {
	var doc servicePolicies
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	var errs []error
	for _, p := range doc.Policies {
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("policy %d (%s): %w", p.ID, p.Name, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, errors.Join(errs...))
	}
	return newPolicies(doc), nil
}

func (p policy) validate() error {
	if p.PolicyType < policyAccess || p.PolicyType > policyRowFilter {
		return fmt.Errorf("policyType %d is not 0 (access), 1 (data mask) or 2 (row filter)", p.PolicyType)
	}
	for _, mi := range p.MaskItems {
		switch t := strings.ToUpper(mi.DataMaskInfo.DataMaskType); t {
		case MaskNone, MaskNull, Mask, MaskShowLast4, MaskShowFirst4, MaskHash, MaskDateShowYear:
		case MaskCustom:
			if strings.TrimSpace(mi.DataMaskInfo.ValueExpr) == "" {
				return errors.New("a CUSTOM mask needs dataMaskInfo.valueExpr")
			}
		default:
			return fmt.Errorf("dataMaskType %q is not one of MASK, MASK_SHOW_LAST_4, MASK_SHOW_FIRST_4, MASK_HASH, MASK_NULL, MASK_DATE_SHOW_YEAR, CUSTOM, MASK_NONE", t)
		}
	}
	return nil
}
