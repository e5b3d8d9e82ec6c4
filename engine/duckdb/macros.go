package duckdb

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
	return []string{
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
		m("spark_size(x) AS coalesce(CAST(len(x) AS INTEGER), -1)"),
		m("spark_collect_list(x) AS coalesce(list(x) FILTER (WHERE x IS NOT NULL), [])"),
		m("spark_collect_set(x) AS coalesce(list_sort(list(DISTINCT x) FILTER (WHERE x IS NOT NULL)), [])"),
		m("spark_array_position(x, e) AS CASE WHEN x IS NULL OR e IS NULL THEN NULL ELSE CAST(coalesce(list_position(x, e), 0) AS BIGINT) END"),
		m("spark_explode(x) AS unnest(x)"),
		m("spark_posexplode(x) AS unnest(x)"),
		m("spark_array_join(x, d) AS array_to_string(x, d)"),
		// Spark sorts NULLs first ascending, last descending.
		m("spark_sort_array(x) AS list_sort(x, 'ASC', 'NULLS FIRST'), (x, ascending) AS CASE WHEN ascending THEN list_sort(x, 'ASC', 'NULLS FIRST') ELSE list_sort(x, 'DESC', 'NULLS LAST') END"),
		m("spark_dayname(d) AS strftime(CAST(d AS DATE), '%a')"),
		m("spark_monthname(d) AS strftime(CAST(d AS DATE), '%b')"),
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
		m("spark_split(s, p) AS regexp_split_to_array(s, p)"),
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
			WHEN t = 'INTEGER' THEN 'int' WHEN t = 'VARCHAR' THEN 'string' WHEN t = 'BLOB' THEN 'binary'
			WHEN t LIKE '%[]' THEN 'array<' || lower(replace(replace(replace(t[1:-3], 'INTEGER', 'int'), 'VARCHAR', 'string'), 'BLOB', 'binary')) || '>'
			ELSE lower(replace(replace(t, 'INTEGER', 'int'), 'VARCHAR', 'string')) END`),
		// After spark_type_name, which it uses.
		m("spark_typeof(x) AS " + fnCatalog + ".main.spark_type_name(typeof(x))"),
	}
}
