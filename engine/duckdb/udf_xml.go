package duckdb

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's xpath family (Hive's UDFXPathUtil over javax.xml) with an XPath
// 1.0 evaluator: a node set answers its nodes' values (NULL for a node
// without one, such as an element), the typed forms convert as Java does
// (a number that is not one is 0 for the integer types, NaN otherwise).

// xpathEval evaluates path against the document xml.
func xpathEval(xml, path string) (any, error) {
	doc, err := xmlquery.Parse(strings.NewReader(xml))
	if err != nil {
		return nil, fmt.Errorf("INVALID_XML: xpath cannot parse the document: %w", err)
	}
	expr, err := xpath.Compile(path)
	if err != nil {
		return nil, fmt.Errorf("INVALID_XPATH: %q: %w", path, err)
	}
	return expr.Evaluate(xmlquery.CreateXPathNavigator(doc)), nil
}

// xpathNodes lists the nodes of a node-set answer.
func xpathNodes(v any) ([]*xmlquery.Node, bool) {
	it, ok := v.(*xpath.NodeIterator)
	if !ok {
		return nil, false
	}
	var nodes []*xmlquery.Node
	for it.MoveNext() {
		if nav, ok := it.Current().(*xmlquery.NodeNavigator); ok {
			nodes = append(nodes, nav.Current())
		}
	}
	return nodes, true
}

// xpathString is XPath's string() of an answer.
func xpathString(v any) string {
	if nodes, ok := xpathNodes(v); ok {
		if len(nodes) == 0 {
			return ""
		}
		return nodes[0].InnerText()
	}
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// xpathNumber is XPath's number() of an answer.
func xpathNumber(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(xpathString(v)), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func xpathFunctions(d *duckTypes) map[string][]*goFunction {
	str := d.of(duckdb.TYPE_VARCHAR)
	in := []duckdb.TypeInfo{str, str}
	typed := func(out duckdb.TypeInfo, conv func(any) any) []*goFunction {
		return []*goFunction{{in: in, out: out, fn: func(v []driver.Value) (any, error) {
			r, err := xpathEval(v[0].(string), v[1].(string))
			if err != nil {
				return nil, err
			}
			return conv(r), nil
		}}}
	}
	integral := func(v any) int64 {
		f := xpathNumber(v)
		if math.IsNaN(f) {
			return 0
		}
		return int64(f)
	}
	return map[string][]*goFunction{
		"xpath": typed(d.list(str), func(v any) any {
			nodes, _ := xpathNodes(v)
			out := make([]any, len(nodes))
			for i, n := range nodes {
				if n.Type == xmlquery.TextNode || n.Type == xmlquery.CharDataNode || n.Type == xmlquery.AttributeNode {
					out[i] = n.InnerText()
				}
			}
			return out
		}),
		"xpath_string": typed(str, func(v any) any { return xpathString(v) }),
		"xpath_boolean": typed(d.of(duckdb.TYPE_BOOLEAN), func(v any) any {
			if nodes, ok := xpathNodes(v); ok {
				return len(nodes) > 0
			}
			switch x := v.(type) {
			case bool:
				return x
			case float64:
				return x != 0 && !math.IsNaN(x)
			}
			return xpathString(v) != ""
		}),
		"xpath_double": typed(d.of(duckdb.TYPE_DOUBLE), func(v any) any { return xpathNumber(v) }),
		"xpath_float":  typed(d.of(duckdb.TYPE_FLOAT), func(v any) any { return float32(xpathNumber(v)) }),
		"xpath_long":   typed(d.of(duckdb.TYPE_BIGINT), func(v any) any { return integral(v) }),
		"xpath_int":    typed(d.of(duckdb.TYPE_INTEGER), func(v any) any { return int32(integral(v)) }),
		"xpath_short":  typed(d.of(duckdb.TYPE_SMALLINT), func(v any) any { return int16(integral(v)) }),
	}
}
