package duckdb

// formMacros are the Spark macros of functions whose answer depends on
// their argument's kind (rewrite_forms.go) and a few more that DuckDB
// binds otherwise; m names one in the function catalog.
func formMacros(m func(string) string) []string {
	zero := "INTERVAL '0' SECOND"
	nulls := func(n string) string { return "list_transform(range(greatest(" + n + ", 0)), kitsune_k -> NULL)" }
	return []string{
		// Spark's legacy integral arithmetic: x (a HUGEINT) wrapped around
		// a two's-complement integer of bits bits (plan_arith.go).
		m("spark_wrap(x, bits) AS ((x + (CAST(1 AS HUGEINT) << (bits - 1))) % (CAST(1 AS HUGEINT) << bits) + (CAST(1 AS HUGEINT) << bits)) % (CAST(1 AS HUGEINT) << bits) - (CAST(1 AS HUGEINT) << (bits - 1))"),
		// Spark's reading of a string as an integral (cast_integral.go):
		// mode 0 raises CAST_INVALID_INPUT, 1 answers NULL, 2 (legacy)
		// takes the integral part of a decimal text.
		m("spark_int_text(s, mode) AS CASE WHEN s IS NULL THEN NULL WHEN regexp_full_match(trim(s), '[+-]?[0-9]+') THEN trim(s) " +
			"WHEN mode = 2 THEN nullif(regexp_extract(trim(s), '^([+-]?[0-9]+)(\\.[0-9]*)?$', 1), '') WHEN mode = 1 THEN NULL " +
			"ELSE error('[CAST_INVALID_INPUT] The value ''' || s || ''' of the type \"STRING\" cannot be cast to an integral type because it is malformed. " +
			"Correct the value as per the syntax, or change its target type. Use try_cast to tolerate malformed input and return NULL instead.') END"),
		m("spark_divisor(b) AS CASE WHEN b = 0 THEN (CASE WHEN coalesce(getvariable('kitsune_ansi'), true) THEN error('[DIVIDE_BY_ZERO] Division by zero. " +
			"Use try_divide to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.') END) ELSE b END"),
		m("spark_map_size(x) AS coalesce(CAST(len(map_keys(x)) AS INTEGER), -1)"),
		m("spark_interval_abs(x) AS CASE WHEN x < " + zero + " THEN -x ELSE x END"),
		m("spark_interval_sign(x) AS CAST(CASE WHEN x < " + zero + " THEN -1 WHEN x > " + zero + " THEN 1 WHEN x IS NOT NULL THEN 0 END AS DOUBLE)"),
		m("spark_interval_width_bucket(v, lo, hi, n) AS " + fnCatalog + ".main.spark_width_bucket(epoch(v), epoch(lo), epoch(hi), n)"),
		m("spark_date_try_add(d, i) AS try(CAST(CAST(d AS DATE) + i AS DATE))"),
		m("spark_date_try_subtract(d, i) AS try(CAST(CAST(d AS DATE) - i AS DATE))"),
		m("spark_date_sequence(a, b, s) AS list_transform(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), s), x -> CAST(x AS DATE))"),
		m("spark_contains(a, b) AS contains(CAST(a AS VARCHAR), CAST(b AS VARCHAR))"),
		m("spark_map_from_arrays(a, b) AS map(a, b)"),
		m("spark_assert_true(c) AS CASE WHEN c THEN NULL ELSE error('[USER_RAISED_EXCEPTION] ''' || coalesce(CAST(c AS VARCHAR), 'NULL') || ''' is not true!') END, " +
			"(c, msg) AS CASE WHEN c THEN NULL ELSE error(msg) END"),
		m("spark_time_trunc(u, t) AS CAST(date_trunc(lower(u), DATE '1970-01-01' + CAST(t AS TIME)) AS TIME)"),
		// array_insert counts from 1; a negative position from the end, -1
		// after the last element; past either end the array is padded
		// with NULLs.
		m("spark_array_insert(a, p, v) AS CASE WHEN p = 0 THEN error('[INVALID_INDEX_OF_ZERO] The index 0 is invalid: array_insert counts from 1 (or -1 from the end)') " +
			"WHEN p > 0 THEN list_concat(list_concat(list_concat(a[1:p - 1], " + nulls("p - 1 - len(a)") + "), [v]), a[p:]) " +
			"WHEN len(a) + p + 1 >= 0 THEN list_concat(list_concat(a[1:len(a) + p + 1], [v]), a[len(a) + p + 2:]) " +
			"ELSE list_concat(list_concat([v], " + nulls("-(len(a) + p + 1)") + "), a) END"),
		m("spark_substring(s, p) AS substring(s, CASE WHEN p = 0 THEN 1 ELSE p END), (s, p, n) AS substring(s, CASE WHEN p = 0 THEN 1 ELSE p END, n)"),
		m("spark_make_interval(y) AS kitsune_make_interval(y, 0, 0, 0, 0, 0, 0, false), (y, mo) AS kitsune_make_interval(y, mo, 0, 0, 0, 0, 0, false), " +
			"(y, mo, w) AS kitsune_make_interval(y, mo, w, 0, 0, 0, 0, false), (y, mo, w, d) AS kitsune_make_interval(y, mo, w, d, 0, 0, 0, false), " +
			"(y, mo, w, d, h) AS kitsune_make_interval(y, mo, w, d, h, 0, 0, false), (y, mo, w, d, h, mi) AS kitsune_make_interval(y, mo, w, d, h, mi, 0, false), " +
			"(y, mo, w, d, h, mi, s) AS kitsune_make_interval(y, mo, w, d, h, mi, CAST(s AS DECIMAL(18,6)), false)"),
		m("spark_try_make_interval(y) AS kitsune_make_interval(y, 0, 0, 0, 0, 0, 0, true), (y, mo) AS kitsune_make_interval(y, mo, 0, 0, 0, 0, 0, true), " +
			"(y, mo, w) AS kitsune_make_interval(y, mo, w, 0, 0, 0, 0, true), (y, mo, w, d) AS kitsune_make_interval(y, mo, w, d, 0, 0, 0, true), " +
			"(y, mo, w, d, h) AS kitsune_make_interval(y, mo, w, d, h, 0, 0, true), (y, mo, w, d, h, mi) AS kitsune_make_interval(y, mo, w, d, h, mi, 0, true), " +
			"(y, mo, w, d, h, mi, s) AS kitsune_make_interval(y, mo, w, d, h, mi, CAST(s AS DECIMAL(18,6)), true)"),
		m("spark_format_number(x, d) AS kitsune_format_number(CAST(x AS VARCHAR), typeof(x), CAST(d AS VARCHAR))"),
		m("spark_bitmap_bit_position(x) AS CAST(CASE WHEN x > 0 THEN (x - 1) % 32768 ELSE (-x) % 32768 END AS BIGINT)"),
		m("spark_bitmap_bucket_number(x) AS CAST(CASE WHEN x > 0 THEN (x - 1) // 32768 + 1 ELSE -((-x) // 32768) END AS BIGINT)"),
		m("spark_bitmap_count(b) AS kitsune_bitmap_count(b)"),
		m("spark_bitmap_construct_agg(p) AS kitsune_bitmap_construct(list(CAST(p AS BIGINT)))"),
		m("spark_bitmap_or_agg(b) AS kitsune_bitmap_merge(list(b), false)"),
		m("spark_bitmap_and_agg(b) AS kitsune_bitmap_merge(list(b), true)"),
	}
}
