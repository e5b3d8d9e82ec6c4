package duckdb

import (
	"strconv"
	"strings"
)

// duckShape is the shape of a DuckDB complex type, read from its name: a
// struct's fields in their declared order, a list's element, a map's key
// and value. database/sql hands a struct over as a Go map, which has no
// order; the shape puts Spark's field order back (Spark prints
// named_struct('b', 1, 'a', 2) as {"b":1,"a":2}).
type duckShape struct {
	fields   []string
	children []*duckShape // the fields' shapes
	elem     *duckShape
	key, val *duckShape
	// scale of a DECIMAL leaf (which the driver may hand over as a
	// float64): Spark prints a nested decimal with its scale, 1.50.
	scale   int
	decimal bool
}

// shapeOf parses a DuckDB type name; nil for a type without parts.
func shapeOf(duckName string) *duckShape {
	s := strings.TrimSpace(duckName)
	u := strings.ToUpper(s)
	switch {
	case strings.HasSuffix(s, "[]"):
		return &duckShape{elem: shapeOf(s[:len(s)-2])}
	case strings.HasPrefix(u, "MAP(") && strings.HasSuffix(s, ")"):
		if parts := splitTop(s[4 : len(s)-1]); len(parts) == 2 {
			return &duckShape{key: shapeOf(parts[0]), val: shapeOf(parts[1])}
		}
	case strings.HasPrefix(u, "STRUCT(") && strings.HasSuffix(s, ")"):
		sh := &duckShape{}
		for _, f := range splitTop(s[7 : len(s)-1]) {
			name, typ := structField(strings.TrimSpace(f))
			sh.fields = append(sh.fields, name)
			sh.children = append(sh.children, shapeOf(typ))
		}
		return sh
	case strings.HasPrefix(u, "DECIMAL(") && strings.HasSuffix(s, ")"):
		if parts := splitTop(s[8 : len(s)-1]); len(parts) == 2 {
			if sc, err := strconv.Atoi(strings.TrimSpace(parts[1])); err == nil {
				return &duckShape{scale: sc, decimal: true}
			}
		}
	}
	return nil
}

func (s *duckShape) elemShape() *duckShape {
	if s == nil {
		return nil
	}
	return s.elem
}

func (s *duckShape) keyShape() *duckShape {
	if s == nil {
		return nil
	}
	return s.key
}

func (s *duckShape) valShape() *duckShape {
	if s == nil {
		return nil
	}
	return s.val
}

// structInOrder orders a struct's Go map by the shape's fields; ok is
// false when the shape does not describe it.
func (s *duckShape) structInOrder(x map[string]any) (nestedObject, bool) {
	if s == nil || len(s.fields) != len(x) {
		return nil, false
	}
	out := make(nestedObject, len(s.fields))
	for i, f := range s.fields {
		v, ok := x[f]
		if !ok {
			return nil, false
		}
		out[i] = nestedEntry{key: f, val: jsonable(v, s.children[i])}
	}
	return out, true
}
