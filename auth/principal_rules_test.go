package auth

import (
	"errors"
	"testing"
)

func TestPrincipalRules(t *testing.T) {
	rules := `RULE:[2:$1@$0](hive@EXAMPLE\.TEST)s/.*/hiveadmin/
RULE:[1:$1@$0](.*@PARTNER\.TEST)s/@.*//L
RULE:[2:$1](etl)s/^etl$/etl_service/
DEFAULT`
	pr, err := ParsePrincipalRules(rules, "EXAMPLE.TEST")
	if err != nil {
		t.Fatal(err)
	}
	for principal, want := range map[string]string{
		"alice@EXAMPLE.TEST":                   "alice",
		"hive/host1.example.test@EXAMPLE.TEST": "hiveadmin",
		"Bob@PARTNER.TEST":                     "bob",
		"etl/batch@OTHER.TEST":                 "etl_service",
		"carol/admin@EXAMPLE.TEST":             "carol",
	} {
		got, err := pr.ShortName(principal)
		if err != nil || got != want {
			t.Errorf("ShortName(%s) = %q, %v; want %q", principal, got, err, want)
		}
	}
	if got, err := pr.ShortName("mallory@EVIL.TEST"); !errors.Is(err, ErrPrincipalMapping) {
		t.Errorf("foreign realm without a rule: %q, %v; want ErrPrincipalMapping", got, err)
	}
	bad, _ := ParsePrincipalRules(`RULE:[1:$1@$0](.*)s/x/y/`, "EXAMPLE.TEST")
	if got, err := bad.ShortName("alice@EXAMPLE.TEST"); !errors.Is(err, ErrPrincipalMapping) {
		t.Errorf("a rule leaving @ in the name: %q, %v; want ErrPrincipalMapping", got, err)
	}
}

func TestPrincipalRulesDefaultStripsAnyRealm(t *testing.T) {
	pr, err := ParsePrincipalRules("", "EXAMPLE.TEST")
	if err != nil {
		t.Fatal(err)
	}
	for principal, want := range map[string]string{"alice@EXAMPLE.TEST": "alice", "bob@OTHER.TEST": "bob", "hive/h@EXAMPLE.TEST": "hive"} {
		if got, _ := pr.ShortName(principal); got != want {
			t.Errorf("ShortName(%s) = %q, want %q", principal, got, want)
		}
	}
}

func TestPrincipalRulesSyntaxError(t *testing.T) {
	for _, text := range []string{"RULE:[x:$1]", "NOPE", "RULE:[1:$1]([)"} {
		if _, err := ParsePrincipalRules(text, "R"); err == nil {
			t.Errorf("ParsePrincipalRules(%q) accepted", text)
		}
	}
}
