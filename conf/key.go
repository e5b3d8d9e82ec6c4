package conf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Type is the value type of a key; it decides how a value is parsed.
type Type int

// Value types.
const (
	TypeString Type = iota
	TypeInt
	TypeBool
	TypeDuration
	TypeBytes
	TypeList
)

func (t Type) String() string {
	return [...]string{"string", "int", "bool", "duration", "bytes", "list"}[t]
}

// Scope says where a key takes effect.
type Scope int

// Scopes. Server keys are read once at start and never reach engines or
// sessions; session keys may be set per session by clients; engine keys
// configure the engine a session is served by.
const (
	ScopeServer Scope = iota
	ScopeSession
	ScopeEngine
)

func (s Scope) String() string {
	return [...]string{"server", "session", "engine"}[s]
}

// Key is one declared configuration key.
type Key struct {
	Name    string
	Type    Type
	Default string
	Scope   Scope
	Doc     string
	// Choices, when set, lists the accepted values (upper-cased compare).
	Choices []string
	// Pattern marks a name with a <user> placeholder.
	Pattern bool
}

// Check parses v as the key's type and reports a message that names the key
// when it does not fit.
func (k Key) Check(v string) error {
	var err error
	switch k.Type {
	case TypeInt:
		_, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	case TypeBool:
		_, err = strconv.ParseBool(strings.TrimSpace(v))
	case TypeDuration:
		_, err = ParseDuration(v)
	case TypeBytes:
		_, err = ParseBytes(v)
	}
	if err != nil {
		return fmt.Errorf("%w: %s=%q is not a valid %s: %v", ErrInvalidValue, k.Name, v, k.Type, err)
	}
	if len(k.Choices) > 0 {
		items := []string{v}
		if k.Type == TypeList {
			items = SplitList(v)
		}
		for _, it := range items {
			if !contains(k.Choices, strings.ToUpper(strings.TrimSpace(it))) {
				return fmt.Errorf("%w: %s=%q: %q is not one of %s", ErrInvalidValue, k.Name, v, it, strings.Join(k.Choices, ", "))
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SplitList splits a comma-separated value, trimming blanks and dropping
// empty items.
func SplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseDuration accepts ISO-8601 durations as Kyuubi writes them (PT30M,
// P1D, PT0.5S), Go durations (30m, 1h30m) and bare integers as milliseconds.
func ParseDuration(v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	if u := strings.ToUpper(s); strings.HasPrefix(u, "P") {
		return parseISODuration(u)
	}
	return time.ParseDuration(s)
}

func parseISODuration(s string) (time.Duration, error) {
	var d time.Duration
	inTime := false
	num := ""
	units := 0
	for _, r := range s[1:] {
		switch {
		case r == 'T':
			inTime = true
		case (r >= '0' && r <= '9') || r == '.':
			num += string(r)
		default:
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("bad ISO-8601 duration %q", s)
			}
			var unit time.Duration
			switch {
			case r == 'D' && !inTime:
				unit = 24 * time.Hour
			case r == 'H' && inTime:
				unit = time.Hour
			case r == 'M' && inTime:
				unit = time.Minute
			case r == 'S' && inTime:
				unit = time.Second
			default:
				return 0, fmt.Errorf("bad ISO-8601 duration %q", s)
			}
			d += time.Duration(f * float64(unit))
			num = ""
			units++
		}
	}
	if num != "" || units == 0 {
		return 0, fmt.Errorf("bad ISO-8601 duration %q", s)
	}
	return d, nil
}

// ParseBytes accepts a byte count with an optional unit: 512m, 4g, 100MiB,
// 1048576.
func ParseBytes(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "ib"), "b")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad size %q (use e.g. 512m, 4g)", v)
	}
	return int64(f * float64(mult)), nil
}
