package duckdb

import (
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/status"
)

// StateParameter is the SQLSTATE of a statement whose parameters do not
// match its markers (ODBC's "wrong number of parameters").
const StateParameter = "07001"

var decimalType = regexp.MustCompile(`^DECIMAL\(\s*(\d+)\s*,\s*(\d+)\s*\)$`)

// duckParamType is the DuckDB type of a parameter's declared type; "" is a
// NULL (VOID, or no type).
func duckParamType(p *tcli.TSparkParameter) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(p.GetType()))
	if t == "" || t == "VOID" || t == "NULL" || p.Value == nil {
		return "", nil
	}
	if m := decimalType.FindStringSubmatch(t); m != nil {
		return "DECIMAL(" + m[1] + "," + m[2] + ")", nil
	}
	if d, ok := paramType(t); ok {
		return d, nil
	}
	return "", status.Errorf("42000", 0, "parameter %s has type %q, which kitsune does not know: use STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, TIMESTAMP_NTZ, BINARY or INTERVAL", paramName(p), p.GetType())
}

func paramName(p *tcli.TSparkParameter) string {
	if p.IsSetName() {
		return ":" + p.GetName()
	}
	return fmt.Sprintf("#%d", p.GetOrdinal())
}

// paramValue is what travels to DuckDB as the parameter's value: its text
// (DuckDB casts it to the declared type) or nil for NULL.
func paramValue(p *tcli.TSparkParameter) any {
	v := p.GetValue()
	switch {
	case v == nil:
		return nil
	case v.IsSetStringValue():
		return v.GetStringValue()
	case v.IsSetDoubleValue():
		return fmt.Sprint(v.GetDoubleValue())
	case v.IsSetBooleanValue():
		return fmt.Sprint(v.GetBooleanValue())
	}
	return nil
}

// bindParameters binds a Databricks client's parameters to the markers of
// sql (DuckDB SQL after the rewrite): Spark's named markers :name become
// CAST($name AS type) and positional ? markers CAST(? AS type), and the
// values travel as real query arguments, never spliced into the text.
func bindParameters(sqlText string, params []*tcli.TSparkParameter) (string, []any, error) {
	if len(params) == 0 {
		return sqlText, nil, nil
	}
	named := params[0].IsSetName()
	types := map[string]string{}
	var positional []string
	var args []any
	for _, p := range params {
		if p.IsSetName() != named {
			return "", nil, status.Errorf(StateParameter, 0, "a statement takes named (:name) or positional (?) parameters, not both")
		}
		t, err := duckParamType(p)
		if err != nil {
			return "", nil, err
		}
		if named {
			types[strings.ToLower(p.GetName())] = t
			args = append(args, sql.Named(strings.ToLower(p.GetName()), paramValue(p)))
			continue
		}
		positional = append(positional, t)
		args = append(args, paramValue(p))
	}
	out, used, err := replaceMarkers(sqlText, named, types, positional)
	if err != nil {
		return "", nil, err
	}
	if !named && used != len(positional) {
		return "", nil, status.Errorf(StateParameter, 0, "the statement has %d ? markers and %d parameters were given", used, len(positional))
	}
	return out, args, nil
}

func castMarker(marker, typ string) string {
	if typ == "" {
		return "CAST(" + marker + " AS VARCHAR)"
	}
	return "CAST(" + marker + " AS " + typ + ")"
}

// replaceMarkers rewrites the parameter markers outside literals,
// identifiers and comments; used counts the markers met.
func replaceMarkers(s string, named bool, types map[string]string, positional []string) (string, int, error) {
	var b strings.Builder
	used := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := skipQuoted(s, i)
			b.WriteString(s[i:j])
			i = j - 1
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j - 1
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			end := len(s)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(s[i:end])
			i = end - 1
		case !named && c == '?':
			if used >= len(positional) {
				return "", 0, status.Errorf(StateParameter, 0, "the statement has more ? markers than the %d parameters given", len(positional))
			}
			b.WriteString(castMarker("?", positional[used]))
			used++
		case named && c == ':' && i+1 < len(s) && isIdentStart(s[i+1]) && (i == 0 || s[i-1] != ':'):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			name := strings.ToLower(s[i+1 : j])
			t, ok := types[name]
			if !ok {
				return "", 0, status.Errorf(StateParameter, 0, "no value was given for parameter :%s", s[i+1:j])
			}
			b.WriteString(castMarker("$"+name, t))
			used++
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), used, nil
}

func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}
