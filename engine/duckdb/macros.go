package duckdb

// maskChars is Spark's mask: each upper-case letter, lower-case letter,
// digit and other character becomes its replacement (NULL keeps it), one
// character at a time.
func maskChars(u, l, d, o string) string {
	return "array_to_string(list_transform(string_split(s, ''), ch -> CASE WHEN ch BETWEEN 'A' AND 'Z' THEN coalesce(left(" + u + ", 1), ch) " +
		"WHEN ch BETWEEN 'a' AND 'z' THEN coalesce(left(" + l + ", 1), ch) WHEN ch BETWEEN '0' AND '9' THEN coalesce(left(" + d + ", 1), ch) " +
		"ELSE coalesce(left(" + o + ", 1), ch) END), '')"
}

// truncUnit maps Spark's truncation units to DuckDB's.
const truncUnit = "CASE upper(f) WHEN 'YYYY' THEN 'year' WHEN 'YY' THEN 'year' WHEN 'MM' THEN 'month' WHEN 'MON' THEN 'month' WHEN 'DD' THEN 'day' ELSE lower(f) END"

// urlPart is parse_url's part p of u.
const urlPart = "CASE upper(p) WHEN 'HOST' THEN nullif(regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)', 1), '') " +
	"WHEN 'QUERY' THEN nullif(regexp_extract(u, '\\?([^#]*)', 1), '') WHEN 'PROTOCOL' THEN nullif(regexp_extract(u, '^([A-Za-z][A-Za-z0-9+.-]*):', 1), '') " +
	"WHEN 'PATH' THEN regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1) WHEN 'REF' THEN nullif(regexp_extract(u, '#(.*)$', 1), '') END"

// sessionTZ is the session's time zone.
const sessionTZ = "coalesce(getvariable('kitsune_session_tz'), 'UTC')"

// strToMap splits s into pairs by p and each pair by kv; a pair without
// kv maps to NULL.
func strToMap(p, kv string) string {
	return "map_from_entries(list_transform(string_split(s, " + p + "), e -> struct_pack(k := split_part(e, " + kv + ", 1), v := CASE WHEN contains(e, " + kv + ") THEN substr(e, length(split_part(e, " + kv + ", 1)) + length(" + kv + ") + 1) END)))"
}

// monthsBetween is Spark's months_between(a, b[, round]).
func monthsBetween(round string) string {
	ta, tb := "CAST(a AS TIMESTAMP)", "CAST(b AS TIMESTAMP)"
	whole := "(year(" + ta + ") - year(" + tb + ")) * 12 + month(" + ta + ") - month(" + tb + ")"
	same := "day(" + ta + ") = day(" + tb + ") OR (" + ta + "::DATE = last_day(" + ta + ") AND " + tb + "::DATE = last_day(" + tb + "))"
	secs := "(epoch(" + ta + ") - epoch(date_trunc('day', " + ta + "))) - (epoch(" + tb + ") - epoch(date_trunc('day', " + tb + ")))"
	frac := "CAST(" + whole + " AS DOUBLE) + (day(" + ta + ") - day(" + tb + ")) / 31.0 + (" + secs + ") / (31.0 * 86400)"
	return "CASE WHEN " + same + " THEN CAST(" + whole + " AS DOUBLE) WHEN " + round + " THEN round(" + frac + ", 8) ELSE " + frac + " END"
}

// rankPick is the value of x at rank ceil(p·n) (at least 1) among its n
// non-NULL values in order.
func rankPick(p string) string {
	return "list_sort(list(x) FILTER (WHERE x IS NOT NULL))[CAST(greatest(ceil(" + p + " * count(x)), 1) AS BIGINT)]"
}

// macroDDL returns the statements that create the Spark function macros in
// the in-memory catalog kitsune_fn (see rewriteExpr, which renames calls).
func macroDDL() []string {
	m := func(body string) string { return "CREATE OR REPLACE MACRO " + fnCatalog + ".main." + body }
	return append([]string{
		"ATTACH IF NOT EXISTS ':memory:' AS " + fnCatalog,
		m("spark_nvl(a, b) AS coalesce(a, b)"),
		m("spark_nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END"),
		m("spark_isnull(a) AS a IS NULL"),
		m("spark_isnotnull(a) AS a IS NOT NULL"),
		m("spark_nanvl(a, b) AS CASE WHEN isnan(a) THEN b ELSE a END"),
		m("spark_date_format(d, f) AS strftime(CAST(d AS TIMESTAMP), f)"),
		m("spark_to_date(s) AS CAST(s AS DATE), (s, f) AS CAST(strptime(s, f) AS DATE)"),
		m("spark_to_timestamp(s) AS CAST(s AS TIMESTAMP), (s, f) AS CAST(strptime(s, f) AS TIMESTAMP)"),
		m("spark_date_add(d, n) AS CAST(CAST(d AS DATE) + CAST(n AS INTEGER) AS DATE)"),
		m("spark_date_sub(d, n) AS CAST(CAST(d AS DATE) - CAST(n AS INTEGER) AS DATE)"),
		m("spark_datediff(e, s) AS CAST(CAST(e AS DATE) - CAST(s AS DATE) AS INTEGER)"),
		// Seconds since the epoch are written and read in the session time
		// zone (spark.sql.session.timeZone; UTC until set).
		m("spark_from_unixtime(s) AS strftime(timezone(" + sessionTZ + ", make_timestamptz(CAST(s AS BIGINT) * 1000000)), '%Y-%m-%d %H:%M:%S'), " +
			"(s, f) AS strftime(timezone(" + sessionTZ + ", make_timestamptz(CAST(s AS BIGINT) * 1000000)), f)"),
		m("spark_unix_timestamp() AS CAST(epoch(current_timestamp) AS BIGINT), " +
			"(s) AS CAST(epoch(timezone(" + sessionTZ + ", CAST(s AS TIMESTAMP))) AS BIGINT), " +
			"(s, f) AS CAST(epoch(timezone(" + sessionTZ + ", strptime(CAST(s AS VARCHAR), f))) AS BIGINT)"),
		m("spark_to_unix_timestamp(s) AS CAST(epoch(timezone(" + sessionTZ + ", CAST(s AS TIMESTAMP))) AS BIGINT), " +
			"(s, f) AS CAST(epoch(timezone(" + sessionTZ + ", strptime(CAST(s AS VARCHAR), f))) AS BIGINT)"),
		// size(NULL) is NULL under ANSI (Spark 4's default), -1 without
		// (spark.sql.legacy.sizeOfNull).
		m("spark_size(x) AS CASE WHEN x IS NOT NULL THEN CAST(len(x) AS INTEGER) WHEN NOT coalesce(getvariable('kitsune_ansi'), true) THEN -1 END"),
		// NULL when the array holds a NULL and not the value, as Spark's
		// three-valued array_contains.
		m("spark_array_contains(a, v) AS CASE WHEN a IS NULL OR v IS NULL THEN NULL WHEN list_contains(a, v) THEN true " +
			"WHEN list_contains(list_transform(a, kitsune_e -> kitsune_e IS NULL), true) THEN NULL ELSE false END"),
		// NULL when an inner array is NULL.
		m("spark_flatten(a) AS CASE WHEN list_contains(list_transform(a, kitsune_e -> kitsune_e IS NULL), true) THEN NULL ELSE flatten(a) END"),
		// Spark's arr[i] (subscript_rewrite via plan_arith.go): from 0; past
		// the end, or negative, INVALID_ARRAY_INDEX under ANSI, NULL without.
		m("spark_subscript(a, i) AS CASE WHEN a IS NULL OR i IS NULL THEN NULL WHEN i >= 0 AND i < len(a) THEN a[i + 1] " +
			"WHEN coalesce(getvariable('kitsune_ansi'), true) THEN error('[INVALID_ARRAY_INDEX] The index ' || i || ' is out of bounds. The array has ' || len(a) || " +
			"' elements. Use the SQL function get() to tolerate accessing element at invalid index and return NULL instead. If necessary set spark.sql.ansi.enabled to \"false\" to bypass this error.') END"),
		m("spark_collect_list(x) AS coalesce(list(x) FILTER (WHERE x IS NOT NULL), [])"),
		m("spark_array_agg(x) AS coalesce(list(x) FILTER (WHERE x IS NOT NULL), [])"), // Spark's alias of collect_list
		m("spark_collect_set(x) AS coalesce(list_sort(list(DISTINCT x) FILTER (WHERE x IS NOT NULL)), [])"),
		m("spark_array_position(x, e) AS CASE WHEN x IS NULL OR e IS NULL THEN NULL ELSE CAST(coalesce(list_position(x, e), 0) AS BIGINT) END"),
		m("spark_explode(x) AS unnest(x)"),
		m("spark_posexplode(x) AS unnest(x)"),
		m("spark_array_join(x, d) AS array_to_string(x, d), (x, d, r) AS array_to_string(list_transform(x, e -> coalesce(CAST(e AS VARCHAR), r)), d)"),
		// Spark sorts NULLs first ascending, last descending.
		m("spark_array_sort(x) AS list_sort(x, 'ASC', 'NULLS LAST')"), // Spark's array_sort puts NULLs last
		m("spark_sort_array(x) AS list_sort(x, 'ASC', 'NULLS FIRST'), (x, ascending) AS CASE WHEN ascending THEN list_sort(x, 'ASC', 'NULLS FIRST') ELSE list_sort(x, 'DESC', 'NULLS LAST') END"),
		m("spark_dayname(d) AS strftime(CAST(d AS DATE), '%a')"),
		m("spark_monthname(d) AS strftime(CAST(d AS DATE), '%b')"),
		m("spark_e() AS exp(1)"),
		m("spark_expm1(x) AS exp(x) - 1"),
		m("spark_log1p(x) AS ln(1 + x)"),
		m("spark_hypot(a, b) AS sqrt(CAST(a AS DOUBLE) * a + CAST(b AS DOUBLE) * b)"),
		m("spark_csc(x) AS 1 / sin(x)"),
		m("spark_sec(x) AS 1 / cos(x)"),
		m("spark_positive(x) AS x"),
		m("spark_negative(x) AS -x"),
		m("spark_nullifzero(x) AS nullif(x, 0)"),
		m("spark_space(n) AS repeat(' ', CAST(n AS BIGINT))"),
		m("spark_pmod(a, b) AS CASE WHEN b <> 0 THEN ((a % b) + b) % b END"),
		m("spark_rint(x) AS CAST(round_even(x, 0) AS DOUBLE)"),
		m("spark_std(x) AS stddev_samp(x)"),
		m("spark_sha(s) AS sha1(s)"),
		m("spark_getbit(x, p) AS (x >> p) & 1"),
		m("spark_bit_get(x, p) AS (x >> p) & 1"),
		m("spark_find_in_set(s, l) AS CASE WHEN s IS NULL OR l IS NULL THEN NULL WHEN contains(s, ',') THEN 0 ELSE CAST(coalesce(list_position(string_split(l, ','), s), 0) AS INTEGER) END"),
		m("spark_initcap(s) AS array_to_string(list_transform(string_split(lower(s), ' '), w -> upper(left(w, 1)) || substr(w, 2)), ' ')"),
		m("spark_date_diff(e, s) AS CAST(CAST(e AS DATE) - CAST(s AS DATE) AS INTEGER)"),
		m("spark_dateadd(d, n) AS CAST(CAST(d AS DATE) + CAST(n AS INTEGER) AS DATE)"),
		m("spark_date_from_unix_date(n) AS CAST(DATE '1970-01-01' + CAST(n AS INTEGER) AS DATE)"),
		m("spark_unix_date(d) AS CAST(CAST(d AS DATE) - DATE '1970-01-01' AS INTEGER)"),
		m("spark_unix_seconds(t) AS CAST(floor(epoch(timezone(" + sessionTZ + ", CAST(t AS TIMESTAMP)))) AS BIGINT)"),
		m("spark_unix_millis(t) AS epoch_ms(timezone(" + sessionTZ + ", CAST(t AS TIMESTAMP)))"),
		m("spark_unix_micros(t) AS epoch_us(timezone(" + sessionTZ + ", CAST(t AS TIMESTAMP)))"),
		m("spark_timestamp_seconds(n) AS timezone(" + sessionTZ + ", make_timestamptz(CAST(round(CAST(n AS DOUBLE) * 1000000) AS BIGINT)))"),
		m("spark_timestamp_millis(n) AS timezone(" + sessionTZ + ", make_timestamptz(CAST(n AS BIGINT) * 1000))"),
		m("spark_timestamp_micros(n) AS timezone(" + sessionTZ + ", make_timestamptz(CAST(n AS BIGINT)))"),
		m("spark_from_utc_timestamp(t, z) AS timezone(z, timezone('UTC', CAST(t AS TIMESTAMP)))"),
		m("spark_to_utc_timestamp(t, z) AS timezone('UTC', timezone(z, CAST(t AS TIMESTAMP)))"),
		m("spark_convert_timezone(z, t) AS timezone(z, timezone(" + sessionTZ + ", CAST(t AS TIMESTAMP))), (f, z, t) AS timezone(z, timezone(f, CAST(t AS TIMESTAMP)))"),
		m("spark_like(s, p) AS s LIKE p ESCAPE '\\'"),
		m("spark_ilike(s, p) AS s ILIKE p ESCAPE '\\'"),
		m("spark_rlike(s, p) AS regexp_matches(s, p)"),
		m("spark_regexp(s, p) AS regexp_matches(s, p)"),
		m("spark_regexp_like(s, p) AS regexp_matches(s, p)"),
		m("spark_regexp_count(s, p) AS CAST(len(regexp_extract_all(s, p)) AS INTEGER)"),
		m("spark_regexp_substr(s, p) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p) END"),
		m("spark_regexp_instr(s, p) AS CAST(CASE WHEN regexp_matches(s, p) THEN instr(s, regexp_extract(s, p)) ELSE 0 END AS INTEGER)"),
		m("spark_format_string(f, a) AS printf(f, a), (f, a, b) AS printf(f, a, b), (f, a, b, c) AS printf(f, a, b, c)"),
		m("spark_octet_length(s) AS CAST(strlen(s) AS INTEGER)"),
		m("spark_levenshtein(a, b) AS CAST(levenshtein(a, b) AS INTEGER), (a, b, t) AS CAST(CASE WHEN levenshtein(a, b) > t THEN -1 ELSE levenshtein(a, b) END AS INTEGER)"),
		m("spark_make_timestamp_ntz(y, mo, d, h, mi, s) AS " + makeTS + ", (d, t) AS CAST(d AS DATE) + CAST(t AS TIME)"),
		m("spark_make_timestamp_ltz(d, t) AS CAST(d AS DATE) + CAST(t AS TIME), (d, t, z) AS timezone(" + sessionTZ + ", timezone(z, CAST(d AS DATE) + CAST(t AS TIME))), " +
			"(y, mo, d, h, mi, s) AS " + makeTS + ", (y, mo, d, h, mi, s, z) AS timezone(" + sessionTZ + ", timezone(z, " + makeTS + "))"),
		m("spark_mask(s) AS " + maskChars("'X'", "'x'", "'n'", "NULL") + ", (s, u) AS " + maskChars("u", "'x'", "'n'", "NULL") +
			", (s, u, l) AS " + maskChars("u", "l", "'n'", "NULL") + ", (s, u, l, d) AS " + maskChars("u", "l", "d", "NULL") +
			", (s, u, l, d, o) AS " + maskChars("u", "l", "d", "o")),
		// try_*: NULL where the operation fails (overflow, division by 0).
		m("spark_try_add(a, b) AS try(a + b)"),
		m("spark_try_subtract(a, b) AS try(a - b)"),
		m("spark_try_multiply(a, b) AS try(a * b)"),
		m("spark_try_divide(a, b) AS CASE WHEN b <> 0 THEN try(a / b) END"),
		m("spark_try_mod(a, b) AS CASE WHEN b <> 0 THEN try(a % b) END"),
		m("spark_width_bucket(v, lo, hi, n) AS CAST(CASE WHEN lo < hi THEN (CASE WHEN v < lo THEN 0 WHEN v >= hi THEN n + 1 ELSE floor((v - lo) / (hi - lo) * n) + 1 END) " +
			"WHEN lo > hi THEN (CASE WHEN v > lo THEN 0 WHEN v <= hi THEN n + 1 ELSE floor((lo - v) / (lo - hi) * n) + 1 END) END AS BIGINT)"),
		m("spark_overlay(s, r, p) AS left(s, p - 1) || r || substr(s, p + length(r)), (s, r, p, l) AS left(s, p - 1) || r || substr(s, p + CASE WHEN l < 0 THEN length(r) ELSE l END)"),
		m("spark_startswith(a, b) AS starts_with(a, b)"),
		m("spark_endswith(a, b) AS suffix(a, b)"),
		m("spark_equal_null(a, b) AS a IS NOT DISTINCT FROM b"),
		m("spark_zeroifnull(x) AS coalesce(x, 0)"),
		m("spark_btrim(s) AS trim(s), (s, t) AS trim(s, t)"),
		m("spark_lpad(s, n) AS lpad(s, n, ' '), (s, n, p) AS lpad(s, n, p)"),
		m("spark_rpad(s, n) AS rpad(s, n, ' '), (s, n, p) AS rpad(s, n, p)"),
		m("spark_first(x) AS first(x), (x, ign) AS CASE WHEN ign THEN first(x) FILTER (WHERE x IS NOT NULL) ELSE first(x) END"),
		m("spark_first_value(x) AS first(x), (x, ign) AS CASE WHEN ign THEN first(x) FILTER (WHERE x IS NOT NULL) ELSE first(x) END"),
		m("spark_last(x) AS last(x), (x, ign) AS CASE WHEN ign THEN last(x) FILTER (WHERE x IS NOT NULL) ELSE last(x) END"),
		m("spark_last_value(x) AS last(x), (x, ign) AS CASE WHEN ign THEN last(x) FILTER (WHERE x IS NOT NULL) ELSE last(x) END"),
		m("spark_json_object_keys(j) AS CASE WHEN json_valid(j) AND json_type(j) = 'OBJECT' THEN json_keys(j) END"),
		m("spark_get(a, i) AS CASE WHEN i >= 0 AND i < len(a) THEN a[i + 1] END"),
		m("spark_make_ym_interval() AS INTERVAL 0 MONTH, (y) AS to_months(CAST(y AS INTEGER) * 12), (y, m) AS to_months(CAST(y AS INTEGER) * 12 + CAST(m AS INTEGER))"),
		m("spark_make_dt_interval() AS INTERVAL 0 SECOND, (d) AS to_days(CAST(d AS INTEGER)), (d, h) AS to_days(CAST(d AS INTEGER)) + to_hours(CAST(h AS BIGINT)), " +
			"(d, h, mi) AS to_days(CAST(d AS INTEGER)) + to_hours(CAST(h AS BIGINT)) + to_minutes(CAST(mi AS BIGINT)), " +
			"(d, h, mi, s) AS to_days(CAST(d AS INTEGER)) + to_hours(CAST(h AS BIGINT)) + to_minutes(CAST(mi AS BIGINT)) + to_microseconds(CAST(round(s * 1000000) AS BIGINT))"),
		m("spark_date_trunc(f, t) AS date_trunc(" + truncUnit + ", CAST(t AS TIMESTAMP))"),
		m("spark_trunc(t, f) AS CAST(date_trunc(" + truncUnit + ", CAST(t AS DATE)) AS DATE)"),
		m("spark_parse_url(u, p) AS " + urlPart + ", (u, p, k) AS CASE WHEN upper(p) = 'QUERY' THEN nullif(regexp_extract(u, '[?&]' || k || '=([^&#]*)', 1), '') END"),
		m("spark_try_parse_url(u, p) AS CASE WHEN regexp_matches(u, '^[A-Za-z][A-Za-z0-9+.-]*://') THEN " + urlPart + " END, (u, p, k) AS CASE WHEN regexp_matches(u, '^[A-Za-z][A-Za-z0-9+.-]*://') AND upper(p) = 'QUERY' THEN nullif(regexp_extract(u, '[?&]' || k || '=([^&#]*)', 1), '') END"),
		m("spark_luhn_check(s) AS CASE WHEN s IS NULL THEN NULL WHEN NOT regexp_matches(s, '^[0-9]+$') THEN false ELSE " +
			"list_sum(list_transform(generate_series(1, length(s)), i -> CASE WHEN i % 2 = 0 THEN (CAST(substr(s, length(s) - i + 1, 1) AS INTEGER) * 2) % 10 + (CAST(substr(s, length(s) - i + 1, 1) AS INTEGER) * 2) // 10 " +
			"ELSE CAST(substr(s, length(s) - i + 1, 1) AS INTEGER) END)) % 10 = 0 END"),
		m("spark_ceil(x) AS CAST(ceil(x) AS BIGINT)"),
		m("spark_ceiling(x) AS CAST(ceil(x) AS BIGINT)"),
		m("spark_floor(x) AS CAST(floor(x) AS BIGINT)"),
		m("spark_sign(x) AS CAST(sign(x) AS DOUBLE)"),
		m("spark_signum(x) AS CAST(sign(x) AS DOUBLE)"),
		// Java's Math.cbrt is exact on cubes.
		m("spark_cbrt(x) AS CASE WHEN pow(round(cbrt(x)), 3) = x THEN round(cbrt(x)) ELSE cbrt(x) END"),
		m("spark_acos(x) AS CASE WHEN x BETWEEN -1 AND 1 THEN acos(x) WHEN x IS NOT NULL THEN 'NaN'::DOUBLE END"),
		m("spark_asin(x) AS CASE WHEN x BETWEEN -1 AND 1 THEN asin(x) WHEN x IS NOT NULL THEN 'NaN'::DOUBLE END"),
		m("spark_atanh(x) AS CASE WHEN x > -1 AND x < 1 THEN atanh(x) WHEN x = 1 THEN 'Infinity'::DOUBLE WHEN x = -1 THEN '-Infinity'::DOUBLE WHEN x IS NOT NULL THEN 'NaN'::DOUBLE END"),
		m("spark_current_schema() AS CASE current_schema() WHEN 'main' THEN 'default' ELSE current_schema() END"),
		m("spark_to_json(x) AS CAST(to_json(x) AS VARCHAR)"),
		m("spark_array_append(a, e) AS CASE WHEN a IS NOT NULL THEN list_append(a, e) END"),
		m("spark_array_prepend(a, e) AS CASE WHEN a IS NOT NULL THEN list_prepend(e, a) END"),
		m("spark_regexp_replace(s, p, r) AS regexp_replace(s, p, r, 'g')"),
		m("spark_split(s, p) AS regexp_split_to_array(s, p), (s, p, l) AS CASE WHEN l > 0 THEN kitsune_split(s, p, l) ELSE regexp_split_to_array(s, p) END"),
		m("spark_json_array_length(j) AS CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY' THEN CAST(json_array_length(j) AS INTEGER) END"),
		m("spark_position(sub, s) AS CAST(instr(s, sub) AS INTEGER), (sub, s, p) AS CAST(CASE WHEN instr(substr(s, p), sub) = 0 THEN 0 ELSE instr(substr(s, p), sub) + p - 1 END AS INTEGER)"),
		m("spark_locate(sub, s) AS CAST(instr(s, sub) AS INTEGER), (sub, s, p) AS CAST(CASE WHEN instr(substr(s, p), sub) = 0 THEN 0 ELSE instr(substr(s, p), sub) + p - 1 END AS INTEGER)"),
		m("spark_string_agg(x) AS string_agg(x, ''), (x, d) AS string_agg(x, d)"),
		m("spark_char(n) AS chr(CAST(n % 256 AS INTEGER))"),
		// Spark: whole months when both days are the same or both the last
		// of their month, else days (and time) over 31-day months, rounded
		// to 8 digits.
		m("spark_months_between(a, b) AS " + monthsBetween("true") + ", (a, b, r) AS " + monthsBetween("r")),
		m("spark_dayofweek(d) AS dayofweek(d) + 1"),
		m("spark_weekday(d) AS isodow(d) - 1"),
		m("spark_listagg(x) AS string_agg(x, ''), (x, d) AS string_agg(x, d)"),
		m("spark_element_at(x, k) AS x[k]"),
		m("spark_map_keys(x) AS map_keys(x)"),
		m("spark_map_values(x) AS map_values(x)"),
		m("spark_shiftleft(a, n) AS a << n"),
		m("spark_shiftright(a, n) AS a >> n"),
		m("spark_substring_index(s, d, c) AS CASE WHEN c > 0 THEN array_to_string(string_split(s, d)[1:c], d) " +
			"WHEN c < 0 THEN array_to_string(string_split(s, d)[c:], d) ELSE '' END"),
		m("spark_regexp_extract(s, p) AS regexp_extract(s, p, 1), (s, p, i) AS regexp_extract(s, p, i)"),
		m("spark_get_json_object(j, p) AS json_extract_string(j, p)"),
		m("spark_array_distinct(x) AS list_filter(x, (e, i) -> list_position(x, e) = i)"),
		// Spark's percentile_approx is the smallest value with at least
		// percentage of the values at or below it (exact for as many values
		// as its accuracy, as in its documented examples).
		m("spark_percentile_approx(x, p) AS " + rankPick("p") + ", (x, p, acc) AS " + rankPick("p")),
		m("spark_approx_percentile(x, p) AS " + rankPick("p") + ", (x, p, acc) AS " + rankPick("p")),
		m("spark_percentile_approx_list(x, p) AS list_transform(p, q -> " + rankPick("q") + "), (x, p, acc) AS list_transform(p, q -> " + rankPick("q") + ")"),
		m("spark_percentile(x, p) AS quantile_cont(x, p)"),
		// DuckDB's median of intervals is not Spark's; quantile_cont refuses
		// them, and is the median of numbers.
		m("spark_median(x) AS quantile_cont(x, 0.5)"),
		m("spark_sha2(s, n) AS CASE WHEN n IN (0, 256) THEN sha256(CAST(s AS VARCHAR)) END"),
		m("spark_add_months(d, n) AS CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)"),
		m("spark_str_to_map(s) AS " + strToMap("','", "':'") + ", (s, p, kv) AS " + strToMap("p", "kv")),
		m("spark_current_database() AS CASE current_schema() WHEN 'main' THEN 'default' ELSE current_schema() END"),
		m(`spark_type_name(t) AS CASE
			WHEN t = 'INTEGER' THEN 'int' WHEN t = 'VARCHAR' THEN 'string' WHEN t = 'BLOB' THEN 'binary' WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp'
			WHEN t LIKE '%[]' THEN 'array<' || lower(replace(replace(replace(t[1:-3], 'INTEGER', 'int'), 'VARCHAR', 'string'), 'BLOB', 'binary')) || '>'
			ELSE lower(replace(replace(t, 'INTEGER', 'int'), 'VARCHAR', 'string')) END`),
		// After spark_type_name, which it uses.
		m("spark_typeof(x) AS " + fnCatalog + ".main.spark_type_name(typeof(x))"),
	}, append(append(collectionMacros(m), goMacros(m)...), formMacros(m)...)...)
}
