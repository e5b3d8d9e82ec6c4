package duckdb

import (
	"math/big"
	"strings"
)

// Spark types decimal arithmetic by its own precision rules (Hive's,
// after SQL Server's); DuckDB by others, and it divides and averages
// decimals into doubles. sparkType reads the Spark type of an expression
// of DuckDB's bound plan (json_serialize_plan, unoptimized): a column's
// type is its table's, a constant's its value's, and +, -, *, /, sum and
// avg follow Spark's rules from their operands. What it cannot read is
// unknown, and a decimal division over an unknown stays refused.

// numClass is what Spark does with a value in arithmetic.
type numClass int

const (
	numOther    numClass = iota // not a number Spark's decimal rules see
	numUnknown                  // a decimal or a number of a type not read here
	numIntegral                 // TINYINT … BIGINT: DECIMAL(3|5|10|20, 0) next to a decimal
	numDecimal
	numFloat // FLOAT, DOUBLE: the decimal becomes a double
)

// sparkNum is an expression's Spark type: its class, and for a decimal
// (and an integral, as the decimal it becomes) the precision and scale.
// An integral literal next to a decimal becomes the decimal its digits
// need (spark's DecimalType.forLiteral): lit holds that precision.
type sparkNum struct {
	class numClass
	p, s  int
	lit   int
}

const maxPrecision, minAdjustedScale = 38, 6

// asDecimal is the decimal an operand becomes next to a decimal.
func (n sparkNum) asDecimal() sparkNum {
	if n.class == numIntegral {
		if n.lit > 0 {
			return sparkNum{class: numDecimal, p: n.lit}
		}
		return sparkNum{class: numDecimal, p: n.p}
	}
	return n
}

// adjusted is Spark's DecimalType.adjustPrecisionScale (precision loss
// allowed, Spark's default): past 38 digits the scale gives way, down to 6,
// so that the integral digits are kept.
func adjusted(p, s int) sparkNum {
	if p <= maxPrecision {
		return sparkNum{class: numDecimal, p: p, s: s}
	}
	intDigits := p - s
	return sparkNum{class: numDecimal, p: maxPrecision, s: max(maxPrecision-intDigits, min(s, minAdjustedScale))}
}

// bounded is Spark's DecimalType.bounded.
func bounded(p, s int) sparkNum {
	return sparkNum{class: numDecimal, p: min(p, maxPrecision), s: min(s, maxPrecision)}
}

// arithmetic is the Spark type of a op b.
func arithmetic(op string, a, b sparkNum) sparkNum {
	switch {
	case a.class == numUnknown || b.class == numUnknown:
		return sparkNum{class: numUnknown}
	case a.class == numOther || b.class == numOther:
		return sparkNum{class: numUnknown}
	case a.class == numFloat || b.class == numFloat:
		return sparkNum{class: numFloat}
	case a.class == numIntegral && b.class == numIntegral:
		if op == "/" {
			return sparkNum{class: numFloat}
		}
		return sparkNum{class: numIntegral, p: max(a.p, b.p)}
	}
	a, b = a.asDecimal(), b.asDecimal()
	switch op {
	case "+", "-":
		s := max(a.s, b.s)
		return adjusted(max(a.p-a.s, b.p-b.s)+s+1, s)
	case "*":
		return adjusted(a.p+b.p+1, a.s+b.s)
	case "/":
		scale := max(minAdjustedScale, a.s+b.p+1)
		return adjusted(a.p-a.s+b.s+scale, scale)
	}
	return sparkNum{class: numUnknown}
}

// duckNum classifies a DuckDB type (a plan's type object).
func duckNum(t any) sparkNum {
	switch typeIDOf(t) {
	case "TINYINT":
		return sparkNum{class: numIntegral, p: 3}
	case "SMALLINT":
		return sparkNum{class: numIntegral, p: 5}
	case "INTEGER":
		return sparkNum{class: numIntegral, p: 10}
	case "BIGINT":
		return sparkNum{class: numIntegral, p: 20}
	case "FLOAT", "DOUBLE":
		return sparkNum{class: numFloat}
	case "DECIMAL":
		m, _ := t.(map[string]any)
		info, _ := m["type_info"].(map[string]any)
		w, _ := info["width"].(float64)
		sc, _ := info["scale"].(float64)
		return sparkNum{class: numDecimal, p: int(w), s: int(sc)}
	case "HUGEINT", "UHUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "INTEGER_LITERAL":
		return sparkNum{class: numUnknown}
	}
	return sparkNum{class: numOther}
}

// literalDigits is the precision an integral constant needs.
func literalDigits(v any) int {
	var n big.Int
	switch x := v.(type) {
	case float64:
		n.SetInt64(int64(x))
	case string:
		if _, ok := n.SetString(x, 10); !ok {
			return 0
		}
	default:
		return 0
	}
	return max(1, len(n.Abs(&n).String()))
}

// planCol is one output column of a plan operator: the expression that
// computes it (read in scope, the columns of the operator's children) or,
// for a table's column, its type.
type planCol struct {
	expr  any
	scope []planCol
	typ   any
	num   *sparkNum // a column typed already (a UNION's)
	known bool
}

// typer reads Spark types on one statement's plan: sql is the text the
// plan's locations point into, ctes the plan's CTE definitions by index.
type typer struct {
	sql  string
	ctes map[int]map[string]any
}

// of is the Spark type of expression x, whose references read scope.
func (ty typer) of(x any, scope []planCol) sparkNum {
	m, _ := x.(map[string]any)
	switch m["expression_class"] {
	case "BOUND_CONSTANT":
		val, _ := m["value"].(map[string]any)
		n := duckNum(val["type"])
		if n.class == numIntegral {
			n.lit = literalDigits(val["value"])
		}
		return n
	case "BOUND_CAST":
		if ty.explicitCast(m) {
			return duckNum(m["return_type"])
		}
		return ty.of(m["child"], scope)
	case "BOUND_REF":
		i := int(num(m["index"]))
		if i < 0 || i >= len(scope) || !scope[i].known {
			return sparkNum{class: numUnknown}
		}
		if c := scope[i]; c.num != nil {
			return *c.num
		} else if c.expr != nil {
			return ty.of(c.expr, c.scope)
		}
		return duckNum(scope[i].typ)
	case "BOUND_FUNCTION":
		return ty.function(m, scope)
	case "BOUND_AGGREGATE", "BOUND_WINDOW":
		return ty.aggregate(m, scope)
	case "BOUND_CASE":
		if isSparkDivisor(m) {
			return ty.of(m["else_expr"], scope)
		}
		checks, _ := m["case_checks"].([]any)
		n := ty.of(m["else_expr"], scope)
		for _, c := range checks {
			cm, _ := c.(map[string]any)
			n = wider(n, ty.of(cm["then_expr"], scope))
		}
		return n
	case "BOUND_OPERATOR":
		if kids, _ := m["children"].([]any); m["type"] == "OPERATOR_COALESCE" && len(kids) > 0 {
			n := ty.of(kids[0], scope)
			for _, k := range kids[1:] {
				n = wider(n, ty.of(k, scope))
			}
			return n
		}
	}
	return fallback(m["return_type"])
}

// wider is the type Spark gives values of two types in one column (CASE,
// coalesce, UNION): decimals widen to hold both.
func wider(a, b sparkNum) sparkNum {
	a.lit, b.lit = 0, 0
	switch {
	case a.class == numUnknown || b.class == numUnknown:
		return sparkNum{class: numUnknown}
	case a == b:
		return a
	case a.class == numOther || b.class == numOther:
		return sparkNum{class: numUnknown}
	case a.class == numFloat || b.class == numFloat:
		return sparkNum{class: numFloat}
	case a.class == numIntegral && b.class == numIntegral:
		return sparkNum{class: numIntegral, p: max(a.p, b.p)}
	}
	a, b = a.asDecimal(), b.asDecimal()
	s := max(a.s, b.s)
	return bounded(max(a.p-a.s, b.p-b.s)+s, s)
}

// fallback types what is not read here by DuckDB's type, where that says
// enough: a decimal may be another decimal in Spark, so it is unknown.
func fallback(t any) sparkNum {
	n := duckNum(t)
	if n.class == numDecimal {
		return sparkNum{class: numUnknown}
	}
	return n
}

func (ty typer) function(m map[string]any, scope []planCol) sparkNum {
	kids, _ := m["children"].([]any)
	name, _ := m["name"].(string)
	switch {
	case len(kids) == 2 && strings.Contains("+-*/", name) && len(name) == 1:
		return arithmetic(name, ty.of(kids[0], scope), ty.of(kids[1], scope))
	case len(kids) == 1 && (name == "-" || name == "+" || name == "abs"):
		n := ty.of(kids[0], scope)
		if name == "abs" {
			n.lit = 0
		}
		return n
	case (name == "round" || name == "floor" || name == "ceil" || name == "ceiling") && len(kids) >= 1:
		return ty.rounded(name, m, kids, scope)
	}
	return fallback(m["return_type"])
}

// rounded is Spark's type of round(x, d), floor(x) and ceil(x) of a
// decimal: one more integral digit, the scale cut to d (0 for floor and
// ceil).
func (ty typer) rounded(name string, m map[string]any, kids []any, scope []planCol) sparkNum {
	n := ty.of(kids[0], scope)
	n.lit = 0
	if n.class == numIntegral || n.class == numFloat {
		return fallback(m["return_type"]) // DuckDB's type says what it is
	}
	if n.class != numDecimal {
		return n
	}
	d := 0
	if len(kids) == 2 {
		c, _ := uncast(kids[1]).(map[string]any)
		val, _ := c["value"].(map[string]any)
		f, ok := val["value"].(float64)
		if c["expression_class"] != "BOUND_CONSTANT" || !ok {
			return sparkNum{class: numUnknown}
		}
		d = int(f)
	}
	if name != "round" && n.s == 0 {
		return n
	}
	intDigits := n.p - n.s + 1
	if d < 0 {
		return sparkNum{class: numDecimal, p: min(max(intDigits, -d+1), maxPrecision)}
	}
	sc := min(n.s, d)
	return sparkNum{class: numDecimal, p: min(intDigits+sc, maxPrecision), s: sc}
}

func (ty typer) aggregate(m map[string]any, scope []planCol) sparkNum {
	kids, _ := m["children"].([]any)
	name, _ := m["name"].(string)
	if name == "count_star" || name == "count" {
		return sparkNum{class: numIntegral, p: 20}
	}
	if len(kids) != 1 {
		return fallback(m["return_type"])
	}
	n := ty.of(kids[0], scope)
	n.lit = 0
	switch name {
	case "min", "max", "first", "last", "any_value", "arbitrary":
		return n
	case "sum":
		switch n.class {
		case numDecimal:
			return bounded(n.p+10, n.s)
		case numIntegral:
			return sparkNum{class: numIntegral, p: 20}
		}
		return n
	case "avg":
		if n.class == numDecimal {
			return bounded(n.p+4, n.s+4)
		}
		if n.class == numIntegral {
			return sparkNum{class: numFloat}
		}
		return n
	}
	return fallback(m["return_type"])
}

// explicitCast tells a CAST of the statement's own, which stands at the
// word CAST or TRY_CAST or at ::, from one the binder added, which stands
// at its operand.
func (ty typer) explicitCast(m map[string]any) bool {
	loc, ok := location(m)
	if !ok || loc >= len(ty.sql) {
		return false
	}
	if child, _ := m["child"].(map[string]any); child != nil {
		if cl, ok := location(child); ok && cl == loc {
			return false // the binder's cast over a CAST of the statement's
		}
	}
	rest := strings.ToUpper(ty.sql[loc:])
	return strings.HasPrefix(rest, "CAST") || strings.HasPrefix(rest, "TRY_CAST") || strings.HasPrefix(rest, "::")
}

// location is an expression's byte offset in the statement, if it has one.
func location(m map[string]any) (int, bool) {
	f, ok := m["query_location"].(float64)
	if !ok || f < 0 || f > 1<<40 {
		return 0, false
	}
	return int(f), true
}

func num(x any) float64 {
	f, _ := x.(float64)
	return f
}
