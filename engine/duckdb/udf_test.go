package duckdb

import (
	"bytes"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"

	cespare "github.com/cespare/xxhash/v2"
)

// Spark 4.1's answers for the Go functions, from its function reference
// and its source's definitions; each is checked without an engine.

func TestSoundexAndConvAsSpark(t *testing.T) {
	for in, want := range map[string]string{"Miller": "M460", "Robert": "R163", "Tymczak": "T522", "Ashcraft": "A261", "1abc": "1abc", "": ""} {
		if got := soundex(in); got != want {
			t.Errorf("soundex(%q) = %q, Spark answers %q", in, got, want)
		}
	}
	for _, c := range []struct {
		num      string
		from, to int64
		want     any
	}{
		{"100", 2, 10, "4"}, {"-10", 16, -10, "-16"}, {"-1", 10, 16, "FFFFFFFFFFFFFFFF"}, {"12z", 10, 16, "C"}, {"zz", 10, 16, nil}, {"10", 1, 10, nil},
	} {
		got, err := conv(c.num, c.from, c.to)
		if err != nil || got != c.want {
			t.Errorf("conv(%q, %d, %d) = %v (%v), Spark answers %v", c.num, c.from, c.to, got, err, c.want)
		}
	}
	if _, err := conv("99999999999999999999", 10, 16); err == nil || !strings.Contains(err.Error(), "ARITHMETIC_OVERFLOW") {
		t.Errorf("conv past 64 bits: %v, want ARITHMETIC_OVERFLOW", err)
	}
}

func TestMomentsAsSparkOnTwoPartitions(t *testing.T) {
	list := func(xs ...any) driver.Value { return xs }
	pairs := func(xy ...float64) driver.Value {
		var out []any
		for i := 0; i < len(xy); i += 2 {
			out = append(out, map[string]any{"x": xy[i], "y": xy[i+1]})
		}
		return out
	}
	fs := momentFunctions(&duckTypes{})
	eval := func(name string, v driver.Value) string {
		got, _ := fs[name][0].fn([]driver.Value{v})
		if got == nil {
			return "NULL"
		}
		return strconv.FormatFloat(got.(float64), 'g', -1, 64)
	}
	for _, c := range []struct{ name, got, want string }{
		{"skewness", eval("skewness", list(-10.0, -20.0, 100.0, 1000.0)), "1.1135657469022011"},
		{"kurtosis", eval("kurtosis", list(1.0, 10.0, 100.0, 10.0, 1.0)), "0.19432323191699075"},
		{"kurtosis of a NULL", eval("kurtosis", list(nil, nil)), "NULL"},
		{"regr_sxx", eval("sum_squares", list(2.0, 2.0, 3.0, 4.0)), "2.75"},
		{"regr_sxy", eval("co_moment", pairs(1, 2, 2, 2, 2, 3, 2, 4)), "0.75"},
		{"regr_r2", eval("r2", pairs(1, 2, 2, 2, 2, 3, 2, 4)), "0.2727272727272727"},
		{"corr", eval("corr", pairs(3, 2, 3, 3, 6, 4)), "0.8660254037844387"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, Spark answers %s", c.name, c.got, c.want)
		}
	}
}

func TestAESAsSpark(t *testing.T) {
	key := "abcdefghijklmnop12345678ABCDEFGH"
	for _, mode := range [][]driver.Value{
		{"Spark", key, "GCM", "DEFAULT", make([]byte, 12), "additional data"},
		{"Spark SQL", key, "CBC", "PKCS", make([]byte, 16)},
		{"Apache Spark", "0000111122223333", "ECB", "PKCS"},
	} {
		sealed, err := aesEncrypt(mode)
		if err != nil {
			t.Fatalf("aes_encrypt %v: %v", mode[2], err)
		}
		back := []driver.Value{sealed, mode[1], mode[2], mode[3]}
		if len(mode) == 6 {
			back = append(back, mode[5])
		}
		plain, err := aesDecrypt(back)
		if err != nil || string(plain.([]byte)) != mode[0] {
			t.Errorf("aes_decrypt(aes_encrypt(%q)) in %v = %q, %v", mode[0], mode[2], plain, err)
		}
	}
	sealed, _ := aesEncrypt([]driver.Value{"Spark", key, "CBC", "DEFAULT", make([]byte, 16)})
	if got := "AAAAAAAAAAAAAAAAAAAAAPSd4mWyMZ5mhvjiAPQJnfg="; base64.StdEncoding.EncodeToString(sealed.([]byte)) != got {
		t.Errorf("aes_encrypt CBC with a zero IV = %s, Spark answers %s", base64.StdEncoding.EncodeToString(sealed.([]byte)), got)
	}
	if _, err := aesDecrypt([]driver.Value{sealed, "0000111122223333", "CBC"}); !errors.Is(err, errAESDecrypt) {
		t.Errorf("aes_decrypt with another key: %v, want the crypto error", err)
	}
	if _, err := aesEncrypt([]driver.Value{"Spark", "short"}); err == nil || !strings.Contains(err.Error(), "AES_KEY_LENGTH") {
		t.Errorf("a 5-byte key: %v, want AES_KEY_LENGTH", err)
	}
}

func TestBytesAsSpark(t *testing.T) {
	sql := []byte("Spark SQL")
	for _, c := range []struct{ got, want []byte }{
		{byteSubstr(sql, 5, 1<<31), []byte("k SQL")},
		{byteSubstr(sql, 0, 3), []byte("Spa")},
		{byteSubstr(sql, -3, 2), []byte("SQ")},
		{bytePad([]byte{0xaa, 0xbb}, 5, []byte{0x11, 0x22}, true), []byte{0x11, 0x22, 0x11, 0xaa, 0xbb}},
		{bytePad([]byte{0xaa, 0xbb}, 5, []byte{0}, false), []byte{0xaa, 0xbb, 0, 0, 0}},
		{bytePad(sql, 3, []byte{0}, true), []byte("Spa")},
		{byteTrim([]byte("SSparkSQLS"), []byte("SL")), []byte("parkSQ")},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("got %q, Spark answers %q", c.got, c.want)
		}
	}
	if got := validUTF8([]byte("a\xC2b")); got != "a\uFFFDb" {
		t.Errorf("make_valid_utf8(x'61C262') = %q", got)
	}
}

func TestCalendarIntervalAndNumberFormatsAsSpark(t *testing.T) {
	for _, c := range []struct {
		months, days int32
		micros       int64
		want         string
	}{
		{1211, 8, 12*microsPerHour + 30*microsPerMinute + 1_001_001, "100 years 11 months 8 days 12 hours 30 minutes 1.001001 seconds"},
		{1, 1, 100_000_001, "1 months 1 days 1 minutes 40.000001 seconds"},
		{0, 0, 0, "0 seconds"},
		{0, 0, -1_500_000, "-1.5 seconds"},
	} {
		if got := calendarInterval(c.months, c.days, c.micros); got != c.want {
			t.Errorf("interval = %q, Spark prints %q", got, c.want)
		}
	}
	num := func(s, typ, pattern string) string {
		got, err := formatNumber([]driver.Value{s, typ, pattern})
		if err != nil || got == nil {
			return "ERR"
		}
		return got.(string)
	}
	for _, c := range []struct{ got, want string }{
		{num("12332.123456", "DECIMAL(11,6)", "4"), "12,332.1235"},
		{num("12332.123456", "DECIMAL(11,6)", "##################.###"), "12332.123"},
		{num("2.675", "DOUBLE", "2"), "2.67"}, // 2.675 is 2.67499999… in binary
		{num("0.125", "DOUBLE", "2"), "0.12"}, // a tie: half-even
		{num("-1234567.5", "DECIMAL(8,1)", "0"), "-1,234,568"},
		{num("0.5", "DOUBLE", "#.##"), ".5"},
	} {
		if c.got != c.want {
			t.Errorf("format_number = %q, Java's DecimalFormat gives %q", c.got, c.want)
		}
	}
	if got, _ := formatNumber([]driver.Value{"1", "INTEGER", "-1"}); got != nil {
		t.Errorf("format_number with negative decimals = %v, Spark answers NULL", got)
	}
	if _, err := formatNumber([]driver.Value{"1", "INTEGER", "0.0%"}); err == nil {
		t.Error("a percent pattern is refused, not misread")
	}
}

func TestVariantAsSpark(t *testing.T) {
	for in, want := range map[string]string{
		`{"b": 1, "a": [true, null, "x<y"]}`: `{"a":[true,null,"x<y"],"b":1}`,
		`{"a":1,"b":0.8}`:                    `{"a":1,"b":0.8}`,
		` "null" `:                           `"null"`,
	} {
		if got, err := canonicalVariant(in); err != nil || got != want {
			t.Errorf("parse_json(%s) = %s (%v), Spark answers %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`{"a":1,`, `{"a":1,"a":2}`, `1e3`, `1 2`} {
		if _, err := canonicalVariant(bad); err == nil {
			t.Errorf("parse_json(%s) is an error in Spark (or a double the local engine does not write)", bad)
		}
	}
	schema := func(s string) string {
		ty, err := variantSchemaOf(s)
		if err != nil {
			return err.Error()
		}
		return ty.String()
	}
	if got := schema(`[{"b":true,"a":0}]`); got != "ARRAY<OBJECT<a: BIGINT, b: BOOLEAN>>" {
		t.Errorf("schema_of_variant = %s", got)
	}
	var merged *variantType
	for _, s := range []string{`{"a": 1}`, `{"b": true}`, `{"c": 1.23}`, `{"a": 2.5}`} {
		ty, _ := variantSchemaOf(s)
		merged = mergeVariantTypes(merged, ty)
	}
	if got := merged.String(); got != "OBJECT<a: DECIMAL(21,1), b: BOOLEAN, c: DECIMAL(3,2)>" {
		t.Errorf("schema_of_variant_agg = %s (BIGINT widens to DECIMAL(20,0))", got)
	}
}

func TestBitmapsAndXPathAsSpark(t *testing.T) {
	b, _ := bitmapConstruct([]driver.Value{[]any{int64(0), int64(1), int64(2), nil}})
	if got := b.([]byte); len(got) != bitmapBytes || got[0] != 0x07 {
		t.Errorf("bitmap_construct_agg of positions 0, 1, 2 starts %x, Spark answers 07", got[:2])
	}
	if _, err := bitmapConstruct([]driver.Value{[]any{int64(32768)}}); err == nil {
		t.Error("a position past the bitmap is an error")
	}
	and, _ := bitmapMerge([]driver.Value{[]any{[]byte{0xF0}, []byte{0x70}, []byte{0x30}}, true})
	or, _ := bitmapMerge([]driver.Value{[]any{[]byte{0x10}, []byte{0x20}, []byte{0x40}}, false})
	if and.([]byte)[0] != 0x30 || or.([]byte)[0] != 0x70 || and.([]byte)[1] != 0 {
		t.Errorf("bitmap_and_agg %x, bitmap_or_agg %x; Spark answers 30 00 and 70", and.([]byte)[:2], or.([]byte)[0])
	}
	doc := "<a><b>b1</b><b>b2</b><b>b3</b><c>c1</c><c>c2</c></a>"
	fs := xpathFunctions(&duckTypes{})
	call := func(name, path string) any {
		got, err := fs[name][0].fn([]driver.Value{doc, path})
		if err != nil {
			return err.Error()
		}
		return got
	}
	if got := call("xpath", "a/b/text()"); !equalAny(got, []any{"b1", "b2", "b3"}) {
		t.Errorf("xpath text() = %v", got)
	}
	if got := call("xpath", "a/b"); !equalAny(got, []any{nil, nil, nil}) {
		t.Errorf("xpath of elements = %v, Spark answers [null,null,null]", got)
	}
	if got := call("xpath_int", "count(a/c)"); got != int32(2) {
		t.Errorf("xpath_int count = %v", got)
	}
	if got := call("xpath_int", "a/c"); got != int32(0) {
		t.Errorf("xpath_int of text that is not a number = %v, Spark answers 0", got)
	}
	if got := call("xpath_string", "a/c"); got != "c1" {
		t.Errorf("xpath_string = %v", got)
	}
	if _, err := fs["xpath"][0].fn([]driver.Value{"<a>", "a"}); err == nil || !strings.Contains(err.Error(), "INVALID_XML") {
		t.Errorf("a broken document: %v, want INVALID_XML", err)
	}
}

func equalAny(got any, want []any) bool {
	g, ok := got.([]any)
	if !ok || len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

func TestHashesAsSpark(t *testing.T) {
	args := []driver.Value{"Spark", []any{int32(123)}, int32(2)}
	if got, err := hashAll(murmur{}, args); err != nil || int32(uint32(got)) != -1321691492 {
		t.Errorf("hash('Spark', array(123), 2) = %d (%v), Spark answers -1321691492", int32(uint32(got)), err)
	}
	if got, err := hashAll(xxhash{}, args); err != nil || int64(got) != 5602566077635097486 {
		t.Errorf("xxhash64('Spark', array(123), 2) = %d (%v), Spark answers 5602566077635097486", int64(got), err)
	}
	// Spark's XXH64 of bytes is the standard one: every tail and stripe length.
	data := []byte(strings.Repeat("kitsune gateway ", 8))
	for n := 0; n <= len(data); n++ {
		if got, want := (xxhash{}).bytes(data[:n], 0), cespare.Sum64(data[:n]); got != want {
			t.Fatalf("XXH64 of %d bytes = %x, the standard gives %x", n, got, want)
		}
	}
	if _, err := hashAll(murmur{}, []driver.Value{map[string]any{"a": 1}}); err == nil {
		t.Error("a struct (its field order unknown here) is refused, not hashed another way")
	}
}
