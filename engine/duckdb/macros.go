package duckdb

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
		m("spark_from_unixtime(s) AS strftime(make_timestamp(CAST(s AS BIGINT) * 1000000), '%Y-%m-%d %H:%M:%S'), " +
			"(s, f) AS strftime(make_timestamp(CAST(s AS BIGINT) * 1000000), f)"),
		m("spark_unix_timestamp() AS CAST(epoch(current_timestamp) AS BIGINT), " +
			"(s) AS CAST(epoch(CAST(s AS TIMESTAMP)) AS BIGINT), " +
			"(s, f) AS CAST(epoch(strptime(CAST(s AS VARCHAR), f)) AS BIGINT)"),
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
		m("spark_sha2(s, n) AS CASE WHEN n IN (0, 256) THEN sha256(CAST(s AS VARCHAR)) END"),
		m("spark_add_months(d, n) AS CAST(CAST(d AS DATE) + to_months(CAST(n AS INTEGER)) AS DATE)"),
		m("spark_months_between(a, b) AS datediff('month', CAST(b AS DATE), CAST(a AS DATE))"),
		m("spark_str_to_map(s) AS map_from_entries(list_transform(string_split(s, ','), e -> struct_pack(k := split_part(e, ':', 1), v := split_part(e, ':', 2))))"),
		m("spark_current_database() AS CASE current_schema() WHEN 'main' THEN 'default' ELSE current_schema() END"),
		m(`spark_type_name(t) AS CASE
			WHEN t = 'INTEGER' THEN 'int' WHEN t = 'VARCHAR' THEN 'string' WHEN t = 'BLOB' THEN 'binary'
			WHEN t LIKE '%[]' THEN 'array<' || lower(replace(replace(replace(t[1:-3], 'INTEGER', 'int'), 'VARCHAR', 'string'), 'BLOB', 'binary')) || '>'
			ELSE lower(replace(replace(t, 'INTEGER', 'int'), 'VARCHAR', 'string')) END`),
	}
}
