package duckdb

import (
	"strconv"
	"strings"
)

// Spark's number formats (to_char/to_varchar, to_number/try_to_number):
// 9 and 0 are digits, . or D the decimal point, , or G a group separator,
// $ the currency sign, S or MI a sign, PR angle brackets for negatives.

type numFormat struct {
	intDigits, fracDigits  int
	group, dollar, zeroPad bool
	sign                   string // "", "S<", "S>", "MI<", "MI>", "PR"
}

func parseNumFormat(f string) (numFormat, bool) {
	var nf numFormat
	u := strings.ToUpper(f)
	switch {
	case strings.HasSuffix(u, "PR"):
		nf.sign, u = "PR", u[:len(u)-2]
	case strings.HasSuffix(u, "MI"):
		nf.sign, u = "MI>", u[:len(u)-2]
	case strings.HasPrefix(u, "MI"):
		nf.sign, u = "MI<", u[2:]
	case strings.HasSuffix(u, "S"):
		nf.sign, u = "S>", u[:len(u)-1]
	case strings.HasPrefix(u, "S"):
		nf.sign, u = "S<", u[1:]
	}
	if strings.HasPrefix(u, "$") {
		nf.dollar, u = true, u[1:]
	}
	nf.zeroPad = strings.HasPrefix(u, "0")
	point := false
	for _, r := range u {
		switch r {
		case '9', '0':
			if point {
				nf.fracDigits++
			} else {
				nf.intDigits++
			}
		case '.', 'D':
			if point {
				return nf, false
			}
			point = true
		case ',', 'G':
			if point {
				return nf, false
			}
			nf.group = true
		default:
			return nf, false
		}
	}
	return nf, nf.intDigits+nf.fracDigits > 0
}

// toChar writes number x in the format.
func (nf numFormat) toChar(x string) string {
	v := "CAST(" + x + " AS DOUBLE)"
	spec := "{:"
	if nf.group {
		spec += ","
	}
	spec += "." + strconv.Itoa(nf.fracDigits) + "f}"
	body := "format(" + sqlString(spec) + ", abs(" + v + "))"
	width := nf.intDigits + nf.fracDigits
	if nf.fracDigits > 0 {
		width++
	}
	if nf.group {
		width += (nf.intDigits - 1) / 3
	}
	pad := " "
	if nf.zeroPad {
		pad = "0"
	}
	body = "lpad(" + body + ", CAST(greatest(" + strconv.Itoa(width) + ", length(" + body + ")) AS INTEGER), " + sqlString(pad) + ")"
	if nf.dollar {
		body = "'$' || " + body
	}
	neg := "(" + v + " < 0)"
	switch nf.sign {
	case "S<":
		return "((CASE WHEN " + neg + " THEN '-' ELSE '+' END) || " + body + ")"
	case "S>":
		return "(" + body + " || (CASE WHEN " + neg + " THEN '-' ELSE '+' END))"
	case "MI<":
		return "((CASE WHEN " + neg + " THEN '-' ELSE ' ' END) || " + body + ")"
	case "MI>":
		return "(" + body + " || (CASE WHEN " + neg + " THEN '-' ELSE ' ' END))"
	case "PR":
		return "(CASE WHEN " + neg + " THEN '<' || " + body + " || '>' ELSE " + body + " END)"
	}
	return "((CASE WHEN " + neg + " THEN '-' ELSE '' END) || " + body + ")"
}

// toNumber reads text s in the format, as DECIMAL(digits, fraction
// digits); text that does not fit the format is an error (NULL with try).
func (nf numFormat) toNumber(s string, try bool) string {
	re := ""
	if nf.sign == "S<" {
		re += "[+-]?"
	} else if nf.sign == "MI<" {
		re += "-?"
	} else if nf.sign == "PR" {
		re += "<?"
	}
	if nf.dollar {
		re += `\$`
	}
	group := ""
	if nf.group {
		group = ","
	}
	re += "[0-9" + group + "]{0," + strconv.Itoa(nf.intDigits+nf.intDigits/3) + "}"
	if nf.fracDigits > 0 {
		re += `(\.[0-9]{0,` + strconv.Itoa(nf.fracDigits) + "})?"
	}
	switch nf.sign {
	case "S>":
		re += "[+-]?"
	case "MI>":
		re += "-?"
	case "PR":
		re += ">?"
	}
	digits := "regexp_replace(" + s + ", '[^0-9.]', '', 'g')"
	typ := "DECIMAL(" + strconv.Itoa(max(nf.intDigits+nf.fracDigits, 1)) + ", " + strconv.Itoa(nf.fracDigits) + ")"
	val := "(CASE WHEN contains(" + s + ", '-') OR starts_with(" + s + ", '<') THEN -CAST(" + digits + " AS " + typ + ") ELSE CAST(" + digits + " AS " + typ + ") END)"
	bad := "error('to_number: ' || " + s + " || ' does not match the format')"
	if try {
		bad = "NULL"
	}
	return "(CASE WHEN " + s + " IS NULL THEN NULL WHEN regexp_full_match(" + s + ", " + sqlString(re) + ") THEN " + val + " ELSE " + bad + " END)"
}

// ruleNumberFormat: to_char/to_varchar and to_number/try_to_number with a
// literal format.
func ruleNumberFormat(c *exprCursor) bool {
	if !c.call() || !c.t.is("to_char", "to_varchar", "to_number", "try_to_number") {
		return false
	}
	args, end := splitArgs(c.toks, c.n)
	f := c.sigFrom(c.n + 1)
	lit := formatLiteral(c.toks, c.n)
	if len(args) != 2 || lit < 0 || f >= end {
		return false
	}
	format := c.toks[lit].val
	name := strings.ToLower(c.t.text)
	if name == "to_char" || name == "to_varchar" {
		switch strings.ToLower(format) {
		case "base64":
			return c.emit(tkPunct, "base64("+args[0]+")", end)
		case "hex":
			return c.emit(tkPunct, "upper(hex("+args[0]+"))", end)
		case "utf-8", "utf8":
			return c.emit(tkPunct, "decode("+args[0]+")", end)
		}
		if nf, ok := parseNumFormat(format); ok {
			return c.emit(tkPunct, nf.toChar(args[0]), end)
		}
		if p, err := javaPattern(format, false); err == nil {
			return c.emit(tkPunct, "strftime(CAST("+args[0]+" AS TIMESTAMP), "+sqlString(p)+")", end)
		}
		return false
	}
	nf, ok := parseNumFormat(format)
	if !ok {
		return false
	}
	return c.emit(tkPunct, nf.toNumber("CAST("+args[0]+" AS VARCHAR)", name == "try_to_number"), end)
}
