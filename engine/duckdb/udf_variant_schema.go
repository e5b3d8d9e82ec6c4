package duckdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// variantType is the schema Spark's schema_of_variant reports: VOID,
// BOOLEAN, BIGINT, DECIMAL(p,s), DOUBLE, STRING, ARRAY<…>, OBJECT<…>, or
// VARIANT where values disagree.
type variantType struct {
	kind   string
	p, s   int
	elem   *variantType
	fields map[string]*variantType
}

func (t *variantType) String() string {
	switch t.kind {
	case "DECIMAL":
		return fmt.Sprintf("DECIMAL(%d,%d)", t.p, t.s)
	case "ARRAY":
		return "ARRAY<" + t.elem.String() + ">"
	case "OBJECT":
		keys := make([]string, 0, len(t.fields))
		for k := range t.fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + t.fields[k].String()
		}
		return "OBJECT<" + strings.Join(parts, ", ") + ">"
	}
	return t.kind
}

func variantSchemaOf(s string) (*variantType, error) {
	v, err := parseVariant(s)
	if err != nil {
		return nil, fmt.Errorf("MALFORMED_RECORD_IN_PARSING: %w", err)
	}
	return schemaOfValue(v), nil
}

func schemaOfValue(v any) *variantType {
	switch x := v.(type) {
	case variantObject:
		t := &variantType{kind: "OBJECT", fields: map[string]*variantType{}}
		for k, e := range x {
			t.fields[k] = schemaOfValue(e)
		}
		return t
	case []any:
		var elem *variantType
		for _, e := range x {
			elem = mergeVariantTypes(elem, schemaOfValue(e))
		}
		if elem == nil {
			elem = &variantType{kind: "VOID"}
		}
		return &variantType{kind: "ARRAY", elem: elem}
	case string:
		return &variantType{kind: "STRING"}
	case bool:
		return &variantType{kind: "BOOLEAN"}
	case json.Number:
		return numberType(string(x))
	}
	return &variantType{kind: "VOID"}
}

// numberType is a number's type as Spark's variant stores it: an integer
// that fits 64 bits is BIGINT, other numbers DECIMAL(p,s).
func numberType(n string) *variantType {
	if _, err := strconv.ParseInt(n, 10, 64); err == nil {
		return &variantType{kind: "BIGINT"}
	}
	whole, frac, _ := strings.Cut(strings.TrimPrefix(n, "-"), ".")
	digits := max(len(strings.TrimLeft(whole+frac, "0")), 1)
	p := max(digits, len(frac))
	if p > 38 {
		return &variantType{kind: "DOUBLE"}
	}
	return &variantType{kind: "DECIMAL", p: p, s: len(frac)}
}

// mergeVariantTypes is schema_of_variant_agg's merge: equal types stay,
// VOID gives way, arrays and objects merge inside, numbers widen, and
// anything else is VARIANT.
func mergeVariantTypes(a, b *variantType) *variantType {
	switch {
	case a == nil || a.kind == "VOID":
		return b
	case b == nil || b.kind == "VOID":
		return a
	case a.kind == "ARRAY" && b.kind == "ARRAY":
		return &variantType{kind: "ARRAY", elem: mergeVariantTypes(a.elem, b.elem)}
	case a.kind == "OBJECT" && b.kind == "OBJECT":
		t := &variantType{kind: "OBJECT", fields: map[string]*variantType{}}
		for k, f := range a.fields {
			t.fields[k] = f
		}
		for k, f := range b.fields {
			t.fields[k] = mergeVariantTypes(t.fields[k], f)
		}
		return t
	case a.String() == b.String():
		return a
	}
	return mergeNumbers(a, b)
}

func mergeNumbers(a, b *variantType) *variantType {
	numeric := func(t *variantType) bool { return t.kind == "BIGINT" || t.kind == "DECIMAL" || t.kind == "DOUBLE" }
	if !numeric(a) || !numeric(b) {
		return &variantType{kind: "VARIANT"}
	}
	if a.kind == "DOUBLE" || b.kind == "DOUBLE" {
		return &variantType{kind: "DOUBLE"}
	}
	asDecimal := func(t *variantType) (int, int) {
		if t.kind == "BIGINT" {
			return 20, 0
		}
		return t.p, t.s
	}
	p1, s1 := asDecimal(a)
	p2, s2 := asDecimal(b)
	s := max(s1, s2)
	return &variantType{kind: "DECIMAL", p: min(max(p1-s1, p2-s2)+s, 38), s: s}
}
