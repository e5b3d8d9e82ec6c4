package duckdb

import "strings"

// The columns of DuckDB's plan operators, so that a reference (BOUND_REF,
// an index into the columns of the operator's children) is read back to
// the expression or table column behind it. Operators not read here give
// unknown columns.

// outputs are the columns an operator produces (nil: not read here).
func (ty typer) outputs(op map[string]any) []planCol {
	kind, _ := op["type"].(string)
	switch kind {
	case "LOGICAL_GET":
		return getColumns(op)
	case "LOGICAL_EXPRESSION_GET":
		types, _ := op["expr_types"].([]any)
		out := make([]planCol, len(types))
		for i, t := range types {
			out[i] = planCol{typ: t, known: true}
		}
		return out
	case "LOGICAL_PROJECTION":
		return exprColumns(op["expressions"], ty.inputs(op))
	case "LOGICAL_AGGREGATE_AND_GROUP_BY":
		in := ty.inputs(op)
		out := append(exprColumns(op["groups"], in), exprColumns(op["expressions"], in)...)
		if fs, _ := op["grouping_functions"].([]any); len(fs) > 0 {
			out = append(out, make([]planCol, len(fs))...)
		}
		return out
	case "LOGICAL_WINDOW":
		in := ty.inputs(op)
		return append(append([]planCol(nil), in...), exprColumns(op["expressions"], in)...)
	case "LOGICAL_FILTER", "LOGICAL_ORDER_BY", "LOGICAL_LIMIT", "LOGICAL_TOP_N", "LOGICAL_DISTINCT", "LOGICAL_SAMPLE":
		return projected(ty.inputs(op), op["projection_map"])
	case "LOGICAL_COMPARISON_JOIN", "LOGICAL_CROSS_PRODUCT", "LOGICAL_ANY_JOIN":
		return ty.joinColumns(op)
	case "LOGICAL_UNION", "LOGICAL_EXCEPT", "LOGICAL_INTERSECT":
		return ty.setColumns(op)
	case "LOGICAL_MATERIALIZED_CTE":
		kids, _ := op["children"].([]any)
		if len(kids) == 2 {
			main, _ := kids[1].(map[string]any)
			return ty.outputs(main)
		}
	case "LOGICAL_CTE_REF":
		if def, ok := ty.ctes[int(num(op["cte_index"]))]; ok {
			return ty.outputs(def)
		}
	}
	return nil
}

// setColumns are a UNION's (EXCEPT's, INTERSECT's) columns: each the type
// Spark widens its sides' types to.
func (ty typer) setColumns(op map[string]any) []planCol {
	kids, _ := op["children"].([]any)
	var out []planCol
	for k, kid := range kids {
		km, _ := kid.(map[string]any)
		cols := ty.outputs(km)
		if cols == nil || k > 0 && len(cols) != len(out) {
			return nil
		}
		for i, c := range cols {
			n := sparkNum{class: numUnknown}
			if c.known {
				n = ty.of(map[string]any{"expression_class": "BOUND_REF", "index": float64(i)}, cols)
			}
			if k == 0 {
				out = append(out, planCol{num: &n, known: true})
			} else {
				w := wider(*out[i].num, n)
				out[i].num = &w
			}
		}
	}
	return out
}

// withCTEs is the typer with the tree's CTE definitions (a materialized
// CTE's first child, under its table_index).
func (ty typer) withCTEs(tree any) typer {
	ty.ctes = map[int]map[string]any{}
	var walk func(x any)
	walk = func(x any) {
		switch v := x.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if v["type"] == "LOGICAL_MATERIALIZED_CTE" {
				if kids, _ := v["children"].([]any); len(kids) == 2 {
					if def, ok := kids[0].(map[string]any); ok {
						ty.ctes[int(num(v["table_index"]))] = def
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(tree)
	return ty
}

// inputs are the columns of an operator's children, in order.
func (ty typer) inputs(op map[string]any) []planCol {
	kids, _ := op["children"].([]any)
	var in []planCol
	for _, k := range kids {
		km, _ := k.(map[string]any)
		out := ty.outputs(km)
		if out == nil {
			return nil
		}
		in = append(in, out...)
	}
	return in
}

func (ty typer) joinColumns(op map[string]any) []planCol {
	kids, _ := op["children"].([]any)
	if len(kids) != 2 {
		return nil
	}
	l, _ := kids[0].(map[string]any)
	r, _ := kids[1].(map[string]any)
	left, right := projected(ty.outputs(l), op["left_projection_map"]), projected(ty.outputs(r), op["right_projection_map"])
	if left == nil || right == nil {
		return nil
	}
	switch op["join_type"] {
	case "SEMI", "ANTI":
		return left
	case "MARK":
		return append(left, planCol{})
	}
	return append(append([]planCol(nil), left...), right...)
}

// getColumns are a scan's columns: its table's types in the order of
// column_indexes, narrowed by projection_ids.
func getColumns(op map[string]any) []planCol {
	types, _ := op["returned_types"].([]any)
	idx, _ := op["column_indexes"].([]any)
	cols := make([]planCol, len(idx))
	for i, c := range idx {
		cm, _ := c.(map[string]any)
		if j := int(num(cm["index"])); j >= 0 && j < len(types) {
			cols[i] = planCol{typ: types[j], known: true}
		}
	}
	return projected(cols, op["projection_ids"])
}

// projected narrows columns by a projection map (empty: all of them).
func projected(cols []planCol, pm any) []planCol {
	ids, _ := pm.([]any)
	if cols == nil || len(ids) == 0 {
		return cols
	}
	out := make([]planCol, len(ids))
	for i, id := range ids {
		if j := int(num(id)); j >= 0 && j < len(cols) {
			out[i] = cols[j]
		}
	}
	return out
}

func exprColumns(list any, scope []planCol) []planCol {
	xs, _ := list.([]any)
	out := make([]planCol, len(xs))
	for i, x := range xs {
		out[i] = planCol{expr: x, scope: scope, known: scope != nil}
	}
	return out
}

// decimalUse is a division or an avg the local engine computes as Spark
// does: where it stands and its Spark type (class numUnknown: a decimal
// one whose type is not read here).
type decimalUse struct {
	avg bool
	loc int // a division's operator offset
	typ sparkNum
}

// planUses are the decimal uses of every plan in a serialized tree (ty
// holds its CTEs, withCTEs).
func (ty typer) planUses(tree map[string]any) []decimalUse {
	var uses []decimalUse
	plans, _ := tree["plans"].([]any)
	for _, p := range plans {
		if pm, ok := p.(map[string]any); ok {
			uses = ty.decimalUses(pm, uses)
		}
	}
	return uses
}

// eachFunction calls fn with the place and the left operand's Spark type
// of every binary function name in the tree's plans.
func (ty typer) eachFunction(tree map[string]any, name string, fn func(loc int, left sparkNum)) {
	ty.visit(tree["plans"], nil, func(v map[string]any, scope []planCol) {
		kids, _ := v["children"].([]any)
		if loc, ok := location(v); ok && v["expression_class"] == "BOUND_FUNCTION" && v["name"] == name && len(kids) == 2 {
			fn(loc, ty.of(kids[0], scope))
		}
	})
}

// decimalUses walks every operator of the plan for the statement's own
// divisions (their divisor goes through spark_divisor) with a decimal
// operand and no floating one, and for avg of a decimal.
func (ty typer) decimalUses(op map[string]any, out []decimalUse) []decimalUse {
	ty.visit(op, nil, func(v map[string]any, scope []planCol) {
		if u, ok := ty.use(v, scope); ok {
			out = append(out, u)
		}
	})
	return out
}

// visit calls fn with every expression under x and the columns its
// references read; an operator's expressions read its children's columns.
func (ty typer) visit(x any, scope []planCol, fn func(v map[string]any, scope []planCol)) {
	switch v := x.(type) {
	case []any:
		for _, e := range v {
			ty.visit(e, scope, fn)
		}
	case map[string]any:
		if kind, _ := v["type"].(string); v["expression_class"] == nil && strings.HasPrefix(kind, "LOGICAL_") {
			ty.visit(v["children"], nil, fn)
			inner := ty.inputs(v)
			if strings.HasSuffix(kind, "_JOIN") || kind == "LOGICAL_CROSS_PRODUCT" {
				inner = nil // a condition's sides read each its own child
			}
			for key, e := range v {
				if key != "children" {
					ty.visit(e, inner, fn)
				}
			}
			return
		}
		if v["expression_class"] != nil {
			fn(v, scope)
		}
		for _, e := range v {
			ty.visit(e, scope, fn)
		}
	}
}

// use reads one expression: a decimal division of the statement's own,
// or an avg of a decimal.
func (ty typer) use(v map[string]any, scope []planCol) (decimalUse, bool) {
	switch {
	case v["expression_class"] == "BOUND_FUNCTION" && v["name"] == "/":
		kids, _ := v["children"].([]any)
		loc, ok := location(v)
		if len(kids) != 2 || !ok || !isSparkDivisor(uncast(kids[1])) {
			return decimalUse{}, false
		}
		a, b := ty.of(kids[0], scope), ty.of(kids[1], scope)
		if a.class == numFloat || b.class == numFloat || (a.class != numDecimal && b.class != numDecimal && a.class != numUnknown && b.class != numUnknown) {
			return decimalUse{}, false
		}
		if a.class == numUnknown && b.class != numDecimal || b.class == numUnknown && a.class != numDecimal {
			// Neither is known to be a decimal: unknown only if DuckDB
			// sees one.
			if typeID(uncast(kids[0])) != "DECIMAL" && typeID(uncast(kids[1])) != "DECIMAL" {
				return decimalUse{}, false
			}
		}
		return decimalUse{loc: loc, typ: arithmetic("/", a, b)}, true
	case (v["expression_class"] == "BOUND_AGGREGATE" || v["expression_class"] == "BOUND_WINDOW") && v["name"] == "avg":
		args, _ := v["arguments"].([]any)
		if len(args) != 1 || typeIDOf(args[0]) != "DECIMAL" {
			return decimalUse{}, false
		}
		return decimalUse{avg: true, typ: ty.aggregate(v, scope)}, true
	}
	return decimalUse{}, false
}
