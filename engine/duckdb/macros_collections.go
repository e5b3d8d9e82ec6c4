package duckdb

// collectionMacros are Spark's array, time and utility functions that
// DuckDB lacks or answers otherwise (macroDDL's second half); m names
// one in the function catalog.
func collectionMacros(m func(string) string) []string {
	return []string{
		m("spark_array_compact(a) AS list_filter(a, x -> x IS NOT NULL)"),
		m("spark_array_except(a, b) AS list_filter(a, (x, i) -> NOT list_contains(b, x) AND list_position(a, x) = i)"),
		m("spark_array_union(a, b) AS list_filter(list_concat(a, b), (x, i) -> list_position(list_concat(a, b), x) = i)"),
		m("spark_array_max(a) AS list_max(a)"),
		m("spark_array_min(a) AS list_min(a)"),
		m("spark_array_remove(a, e) AS CASE WHEN e IS NOT NULL THEN list_filter(a, x -> x IS DISTINCT FROM e) END"),
		m("spark_array_repeat(e, n) AS list_transform(generate_series(1, CAST(n AS BIGINT)), i -> e)"),
		m("spark_array_size(a) AS CAST(len(a) AS INTEGER)"),
		m("spark_arrays_overlap(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN list_has_any(a, b) THEN true " +
			"WHEN len(a) > 0 AND len(b) > 0 AND (list_count(a) < len(a) OR list_count(b) < len(b)) THEN NULL ELSE false END"),
		m("spark_slice(a, s, n) AS CASE WHEN s > 0 THEN list_slice(a, s, s + n - 1) WHEN s < 0 THEN list_slice(a, len(a) + s + 1, len(a) + s + n) END"),
		m("spark_sequence(a, b) AS generate_series(a, b, CASE WHEN a <= b THEN 1 ELSE -1 END), (a, b, s) AS generate_series(a, b, s)"),
		m("spark_try_element_at(x, k) AS x[k]"),
		m("spark_map_contains_key(m, k) AS map_contains(m, k)"),
		m("spark_encode(s, c) AS CASE WHEN upper(c) IN ('UTF-8', 'UTF8') THEN encode(CAST(s AS VARCHAR)) END"),
		m("spark_to_binary(s) AS from_hex(s), (s, f) AS CASE lower(f) WHEN 'hex' THEN from_hex(s) WHEN 'utf-8' THEN encode(s) WHEN 'utf8' THEN encode(s) WHEN 'base64' THEN from_base64(s) END"),
		m("spark_try_to_binary(s) AS try(from_hex(s)), (s, f) AS CASE lower(f) WHEN 'hex' THEN try(from_hex(s)) WHEN 'utf-8' THEN encode(s) WHEN 'utf8' THEN encode(s) WHEN 'base64' THEN try(from_base64(s)) END"),
		m("spark_next_day(d, w) AS CAST(CAST(d AS DATE) + CAST(((" + weekdayNumber + " - isodow(CAST(d AS DATE)) + 6) % 7) + 1 AS INTEGER) AS DATE)"),
		m(`spark_quote(s) AS '''' || replace(s, '''', '\''') || ''''`),
		m("spark_try_sum(x) AS CASE WHEN typeof(sum(x)) <> 'HUGEINT' THEN sum(x) WHEN sum(x) BETWEEN -9223372036854775808 AND 9223372036854775807 THEN sum(x) END"),
		m("spark_ascii(s) AS ascii(CAST(s AS VARCHAR))"),
		m("spark_bin(x) AS bin(CAST(x AS BIGINT))"),
		m("spark_unbase64(s) AS from_base64(s)"),
		m("spark_try_url_decode(s) AS try(url_decode(s))"),
		m("spark_is_valid_utf8(x) AS CASE WHEN x IS NOT NULL THEN try(decode(CAST(x AS BLOB))) IS NOT NULL END"),
		m("spark_try_validate_utf8(x) AS try(decode(CAST(x AS BLOB)))"),
		m("spark_validate_utf8(x) AS decode(CAST(x AS BLOB))"),
		m("spark_input_file_block_length() AS CAST(-1 AS BIGINT)"),
		m("spark_input_file_block_start() AS CAST(-1 AS BIGINT)"),
		m("spark_input_file_name() AS ''"),
		m("spark_spark_partition_id() AS 0"),
		m("spark_time_diff(u, a, b) AS date_sub(lower(u), CAST(a AS TIME), CAST(b AS TIME))"),
		m("spark_to_time(s) AS CAST(s AS TIME), (s, f) AS CAST(strptime(s, f) AS TIME)"),
		m("spark_try_to_time(s) AS try(CAST(s AS TIME)), (s, f) AS CAST(try_strptime(s, f) AS TIME)"),
		m("spark_to_timestamp_ltz(s) AS CAST(s AS TIMESTAMP), (s, f) AS CAST(strptime(s, f) AS TIMESTAMP)"),
		m("spark_to_timestamp_ntz(s) AS CAST(s AS TIMESTAMP), (s, f) AS CAST(strptime(s, f) AS TIMESTAMP)"),
		m("spark_try_to_timestamp(s) AS try(CAST(s AS TIMESTAMP)), (s, f) AS CAST(try_strptime(s, f) AS TIMESTAMP)"),
		m("spark_try_to_date(s) AS try(CAST(s AS DATE)), (s, f) AS CAST(try_strptime(s, f) AS DATE)"),
		// Spark carries a 60th second into the next minute, and reads a
		// fractional second.
		m("spark_make_timestamp(d) AS CAST(CAST(d AS DATE) AS TIMESTAMP), (d, t) AS CAST(d AS DATE) + CAST(t AS TIME), " +
			"(d, t, z) AS timezone(" + sessionTZ + ", timezone(z, CAST(d AS DATE) + CAST(t AS TIME))), " +
			"(y, mo, d, h, mi, s) AS " + makeTS + ", (y, mo, d, h, mi, s, z) AS timezone(" + sessionTZ + ", timezone(z, " + makeTS + "))"),
		m("spark_try_make_timestamp(d) AS try(CAST(CAST(d AS DATE) AS TIMESTAMP)), (d, t) AS try(CAST(d AS DATE) + CAST(t AS TIME)), " +
			"(d, t, z) AS try(timezone(" + sessionTZ + ", timezone(z, CAST(d AS DATE) + CAST(t AS TIME)))), " +
			"(y, mo, d, h, mi, s) AS try(" + makeTS + "), (y, mo, d, h, mi, s, z) AS try(timezone(" + sessionTZ + ", timezone(z, " + makeTS + ")))"),
		m("spark_try_make_timestamp_ltz(d, t) AS try(CAST(d AS DATE) + CAST(t AS TIME)), (d, t, z) AS try(timezone(" + sessionTZ + ", timezone(z, CAST(d AS DATE) + CAST(t AS TIME)))), " +
			"(y, mo, d, h, mi, s) AS try(" + makeTS + "), (y, mo, d, h, mi, s, z) AS try(timezone(" + sessionTZ + ", timezone(z, " + makeTS + ")))"),
		m("spark_try_make_timestamp_ntz(d, t) AS try(CAST(d AS DATE) + CAST(t AS TIME)), (y, mo, d, h, mi, s) AS try(" + makeTS + ")"),
	}
}

// weekdayNumber is Spark's day name w as an ISO day of week (1 = Monday).
const weekdayNumber = "CASE upper(left(w, 2)) WHEN 'MO' THEN 1 WHEN 'TU' THEN 2 WHEN 'WE' THEN 3 WHEN 'TH' THEN 4 WHEN 'FR' THEN 5 WHEN 'SA' THEN 6 WHEN 'SU' THEN 7 END"

// makeTS is a timestamp from fields, the seconds (up to 60, with a
// fraction) added to the minute.
const makeTS = "make_timestamp(y, mo, d, h, mi, 0) + to_microseconds(CAST(round(CAST(s AS DOUBLE) * 1000000) AS BIGINT))"
