package duckdb

// goMacros are the Spark macros that call the Go functions (udf*.go)
// registered in DuckDB's system catalog; m names one in the function
// catalog.
func goMacros(m func(string) string) []string {
	pairs := "list(struct_pack(x := CAST(a AS DOUBLE), y := CAST(b AS DOUBLE)))"
	aes := func(name string) string {
		return "spark_" + name + "(i, k) AS kitsune_" + name + "(i, k), (i, k, md) AS kitsune_" + name + "(i, k, md), " +
			"(i, k, md, p) AS kitsune_" + name + "(i, k, md, p), (i, k, md, p, iv) AS kitsune_" + name + "(i, k, md, p, iv), " +
			"(i, k, md, p, iv, ad) AS kitsune_" + name + "(i, k, md, p, iv, ad)"
	}
	return []string{
		m("spark_skewness(x) AS kitsune_skewness(list(CAST(x AS DOUBLE)))"),
		m("spark_kurtosis(x) AS kitsune_kurtosis(list(CAST(x AS DOUBLE)))"),
		m("spark_corr(a, b) AS kitsune_corr(" + pairs + ")"),
		m("spark_regr_r2(a, b) AS kitsune_r2(" + pairs + ")"),
		m("spark_regr_sxy(a, b) AS kitsune_co_moment(" + pairs + ")"),
		m("spark_regr_sxx(a, b) AS kitsune_sum_squares(list(CASE WHEN a IS NOT NULL THEN CAST(b AS DOUBLE) END))"),
		m(aes("aes_encrypt")),
		m(aes("aes_decrypt")),
		m(aes("try_aes_decrypt")),
		m("spark_unhex(s) AS try(unhex(s))"),
		m("spark_crc32(x) AS kitsune_crc32(x)"),
		m("spark_soundex(s) AS kitsune_soundex(s)"),
		m("spark_conv(n, f, t) AS kitsune_conv(CAST(n AS VARCHAR), f, t)"),
		m("spark_make_valid_utf8(x) AS kitsune_make_valid_utf8(x)"),
		m("spark_sentences(s) AS kitsune_sentences(s), (s, l) AS kitsune_sentences(s), (s, l, c) AS kitsune_sentences(s)"),
		m("spark_shiftrightunsigned(a, n) AS kitsune_shiftrightunsigned(a, n)"),
		m("spark_parse_json(s) AS kitsune_parse_json(s)"),
		m("spark_try_parse_json(s) AS kitsune_try_parse_json(s)"),
		m("spark_is_variant_null(v) AS coalesce(v = 'null', false)"),
		m("spark_schema_of_variant(v) AS kitsune_schema_of_variant(v)"),
		m("spark_schema_of_variant_agg(v) AS kitsune_schema_of_variant_agg(list(v))"),
		m("spark_to_variant_object(x) AS kitsune_parse_json(CAST(to_json(x) AS VARCHAR))"),
		m("spark_xpath(x, p) AS kitsune_xpath(x, p)"),
		m("spark_xpath_string(x, p) AS kitsune_xpath_string(x, p)"),
		m("spark_xpath_boolean(x, p) AS kitsune_xpath_boolean(x, p)"),
		m("spark_xpath_double(x, p) AS kitsune_xpath_double(x, p)"),
		m("spark_xpath_number(x, p) AS kitsune_xpath_double(x, p)"),
		m("spark_xpath_float(x, p) AS kitsune_xpath_float(x, p)"),
		m("spark_xpath_long(x, p) AS kitsune_xpath_long(x, p)"),
		m("spark_xpath_int(x, p) AS kitsune_xpath_int(x, p)"),
		m("spark_xpath_short(x, p) AS kitsune_xpath_short(x, p)"),
		m("spark_bytes_length(b) AS CAST(octet_length(b) AS INTEGER)"),
		m("spark_bytes_bit_length(b) AS CAST(octet_length(b) * 8 AS INTEGER)"),
		m("spark_bytes_btrim(b) AS kitsune_bytes_trim(b), (b, t) AS kitsune_bytes_trim(b, t)"),
		m("spark_bytes_contains(a, b) AS kitsune_bytes_contains(a, b)"),
		m("spark_bytes_startswith(a, b) AS kitsune_bytes_startswith(a, b)"),
		m("spark_bytes_endswith(a, b) AS kitsune_bytes_endswith(a, b)"),
		m("spark_bytes_left(b, n) AS kitsune_bytes_substr(b, 1, n)"),
		m("spark_bytes_substr(b, p) AS kitsune_bytes_substr(b, p), (b, p, n) AS kitsune_bytes_substr(b, p, n)"),
		m("spark_bytes_lpad(b, n) AS kitsune_bytes_lpad(b, n), (b, n, p) AS kitsune_bytes_lpad(b, n, p)"),
		m("spark_bytes_rpad(b, n) AS kitsune_bytes_rpad(b, n), (b, n, p) AS kitsune_bytes_rpad(b, n, p)"),
		m("spark_bytes_overlay(b, r, p) AS kitsune_bytes_overlay(b, r, p, -1), (b, r, p, n) AS kitsune_bytes_overlay(b, r, p, n)"),
	}
}
