package duckdb

import (
	"strings"
)

// Spark's interval literals DuckDB does not read: several units
// (interval 5 days 3 hours), the SQL-standard forms ('1-2' YEAR TO MONTH,
// '1 02:03:04' DAY TO SECOND) and a sign before the string.

var intervalUnits = map[string]string{"YEAR": "years", "YEARS": "years", "MONTH": "months", "MONTHS": "months", "WEEK": "weeks",
	"WEEKS": "weeks", "DAY": "days", "DAYS": "days", "HOUR": "hours", "HOURS": "hours", "MINUTE": "minutes", "MINUTES": "minutes",
	"SECOND": "seconds", "SECONDS": "seconds", "MILLISECOND": "milliseconds", "MILLISECONDS": "milliseconds",
	"MICROSECOND": "microseconds", "MICROSECONDS": "microseconds"}

func ruleInterval(c *exprCursor) bool {
	if !c.t.is("INTERVAL") || c.prev.is("AS") {
		return false
	}
	k := c.n
	sign := ""
	if k < len(c.toks) && (c.toks[k].text == "-" || c.toks[k].text == "+") {
		if c.toks[k].text == "-" {
			sign = "-"
		}
		k = c.sigFrom(k + 1)
	}
	if k >= len(c.toks) {
		return false
	}
	if c.toks[k].kind == tkString {
		return intervalString(c, sign, k)
	}
	// interval 5 days 3 hours 7 minutes
	var parts []string
	last := -1
	for k < len(c.toks) && c.toks[k].kind == tkNumber {
		u := c.sigFrom(k + 1)
		if u >= len(c.toks) || intervalUnits[strings.ToUpper(c.toks[u].text)] == "" {
			break
		}
		parts = append(parts, c.toks[k].text+" "+intervalUnits[strings.ToUpper(c.toks[u].text)])
		last = u
		k = c.sigFrom(u + 1)
	}
	if len(parts) < 2 && sign == "" {
		return false // DuckDB reads INTERVAL 5 DAY itself
	}
	if len(parts) == 0 {
		return false
	}
	return c.emit(tkPunct, sign+"INTERVAL "+sqlString(strings.Join(parts, " ")), last)
}

// intervalString handles INTERVAL [-]'…' [unit [TO unit]].
func intervalString(c *exprCursor, sign string, k int) bool {
	val := c.toks[k].val
	u := c.sigFrom(k + 1)
	from := ""
	if u < len(c.toks) {
		from = strings.ToUpper(c.toks[u].text)
	}
	to, last := "", k
	if intervalUnits[from] != "" {
		last = u
		if t := c.sigFrom(u + 1); t < len(c.toks) && c.toks[t].is("TO") {
			if e := c.sigFrom(t + 1); e < len(c.toks) && intervalUnits[strings.ToUpper(c.toks[e].text)] != "" {
				to, last = strings.ToUpper(c.toks[e].text), e
			}
		}
	}
	text := val
	switch {
	case from == "YEAR" && to == "MONTH":
		neg := strings.HasPrefix(val, "-")
		y, m, ok := strings.Cut(strings.TrimPrefix(val, "-"), "-")
		if !ok {
			return false
		}
		text = y + " years " + m + " months"
		if neg {
			text = "-" + y + " years -" + m + " months"
		}
	case from == "DAY" && to != "":
		d, rest, ok := strings.Cut(strings.TrimSpace(val), " ")
		if !ok {
			return false
		}
		text = d + " days " + rest
	case to != "":
		text = val + " " + intervalUnits[from]
	case intervalUnits[from] != "":
		text = val + " " + intervalUnits[from]
	default:
		if sign == "" {
			return false
		}
	}
	return c.emit(tkPunct, sign+"INTERVAL "+sqlString(text), last)
}
