package rest

import (
	"reflect"
	"regexp"
	"strings"
)

// openAPI is the OpenAPI 3 document of the routes: paths, parameters and
// the JSON schemas of the bodies, built from the same table that serves
// them, so the two cannot drift.
func openAPI(routes []route, version string) map[string]any {
	schemas := map[string]any{}
	paths := map[string]map[string]any{}
	for _, r := range routes {
		op := map[string]any{"summary": r.summary, "operationId": operationID(r), "responses": responses(r, schemas)}
		var params []any
		for _, p := range pathParams.FindAllStringSubmatch(r.path, -1) {
			params = append(params, map[string]any{"name": p[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range r.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.body != nil {
			op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.body), schemas)}}}
		}
		if !r.public {
			op["security"] = []any{map[string]any{"basic": []any{}}, map[string]any{"negotiate": []any{}}}
		}
		if paths[prefix+r.path] == nil {
			paths[prefix+r.path] = map[string]any{}
		}
		paths[prefix+r.path][strings.ToLower(r.method)] = op
	}
	schemaOf(reflect.TypeOf(errorBody{}), schemas)
	schemas["Error"] = schemas["errorBody"]
	delete(schemas, "errorBody")
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "kitsune REST API (Kyuubi's /api/v1)", "version": version},
		"paths":   paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{
			"basic":     map[string]any{"type": "http", "scheme": "basic"},
			"negotiate": map[string]any{"type": "http", "scheme": "negotiate"},
		}},
	}
}

var pathParams = regexp.MustCompile(`\{([^}]+)\}`)

func operationID(r route) string {
	id := strings.ToLower(r.method)
	for _, part := range strings.Split(strings.Trim(r.path, "/"), "/") {
		part = strings.Trim(part, "{}")
		if part != "" {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	return strings.ReplaceAll(id, ".", "")
}

func responses(r route, schemas map[string]any) map[string]any {
	ok := map[string]any{"description": "OK"}
	switch v := r.resp.(type) {
	case nil:
	case string:
		ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
	default:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(v), schemas)}}
	}
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	out := map[string]any{"200": ok, "default": merge(map[string]any{"description": "An error: message, sqlState, errorCode."}, errRef)}
	if !r.public {
		out["401"] = merge(map[string]any{"description": "No credentials."}, errRef)
		out["403"] = merge(map[string]any{"description": "Credentials refused, or not allowed."}, errRef)
	}
	return out
}

func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// schemaOf is the JSON schema of t; structs go into schemas by name and
// are referenced.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), schemas)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		name := t.Name()
		if _, ok := schemas[name]; !ok {
			schemas[name] = map[string]any{} // a placeholder against recursion
			props := map[string]any{}
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if tag == "" || tag == "-" {
					continue
				}
				props[tag] = schemaOf(f.Type, schemas)
			}
			schemas[name] = map[string]any{"type": "object", "properties": props}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{} // any value (a Field's value)
}
