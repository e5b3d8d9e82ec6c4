package duckdb

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's VARIANT on the local engine is its JSON text in Spark's
// canonical form: objects with their keys sorted (as Spark's variant
// stores them), no white space, numbers as written. variant_get and
// variant_explode read it with DuckDB's JSON functions.

// errVariantDouble: Spark stores such a number as a double, which the
// local engine would write back in another form.
var errVariantDouble = errors.New("UNSUPPORTED_FEATURE: a number with an exponent is a double in Spark's variant, which the local engine does not write; write it as a decimal")

// variantObject is a parsed JSON object; keys are sorted when written.
type variantObject map[string]any

// parseVariant reads one JSON value with its numbers as written, refusing
// duplicate keys as Spark does.
func parseVariant(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := variantValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

func variantValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := variantObject{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				if _, dup := obj[key]; dup {
					return nil, fmt.Errorf("VARIANT_DUPLICATE_KEY: the key %q appears twice in an object", key)
				}
				if obj[key], err = variantValue(dec); err != nil {
					return nil, err
				}
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				e, err := variantValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, e)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if strings.ContainsAny(string(t), "eE") {
			return nil, errVariantDouble
		}
	}
	return tok, nil
}

// writeVariant writes v in Spark's canonical JSON.
func writeVariant(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case variantObject:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeVariant(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeVariant(b, e)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case json.Number:
		b.WriteString(string(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	default:
		b.WriteString("null")
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

func canonicalVariant(s string) (string, error) {
	v, err := parseVariant(s)
	if errors.Is(err, errVariantDouble) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("MALFORMED_RECORD_IN_PARSING: parse_json cannot read %q: %w (try_parse_json answers NULL)", s, err)
	}
	var b bytes.Buffer
	writeVariant(&b, v)
	return b.String(), nil
}

func variantFunctions(d *duckTypes) map[string][]*goFunction {
	str := d.of(duckdb.TYPE_VARCHAR)
	one := []duckdb.TypeInfo{str}
	return map[string][]*goFunction{
		"parse_json": {{in: one, out: str, fn: func(v []driver.Value) (any, error) { return canonicalVariant(v[0].(string)) }}},
		"try_parse_json": {{in: one, out: str, fn: func(v []driver.Value) (any, error) {
			if s, err := canonicalVariant(v[0].(string)); err == nil {
				return s, nil
			}
			return nil, nil
		}}},
		"schema_of_variant": {{in: one, out: str, fn: func(v []driver.Value) (any, error) {
			t, err := variantSchemaOf(v[0].(string))
			if err != nil {
				return nil, err
			}
			return t.String(), nil
		}}},
		"schema_of_variant_agg": {{in: []duckdb.TypeInfo{d.list(str)}, out: str, fn: func(v []driver.Value) (any, error) {
			var merged *variantType
			xs, _ := v[0].([]any)
			for _, x := range xs {
				s, ok := x.(string)
				if !ok {
					continue
				}
				t, err := variantSchemaOf(s)
				if err != nil {
					return nil, err
				}
				merged = mergeVariantTypes(merged, t)
			}
			if merged == nil {
				return "VOID", nil
			}
			return merged.String(), nil
		}}},
	}
}
