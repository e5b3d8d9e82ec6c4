//go:build e2e

package e2e

import "strings"

// sparkGroups are the function groups of Spark's reference (its
// ExpressionInfo groups, some merged); a function named in none is a
// string function.
var sparkGroupNames = map[string]string{
	"aggregate": `any approx_count_distinct approx_percentile approx_top_k approx_top_k_accumulate approx_top_k_combine array_agg avg
		bit_and bit_or bit_xor bitmap_and_agg bitmap_construct_agg bitmap_or_agg bool_and bool_or collect_list collect_set corr count
		count_if count_min_sketch covar_pop covar_samp every first first_value grouping grouping_id histogram_numeric hll_sketch_agg
		hll_union_agg kll_sketch_agg_bigint kll_sketch_agg_double kll_sketch_agg_float kurtosis last last_value listagg max max_by mean
		median min min_by mode percentile percentile_approx percentile_cont percentile_disc regr_avgx regr_avgy regr_count
		regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy skewness some std stddev stddev_pop stddev_samp string_agg sum
		theta_intersection_agg theta_sketch_agg theta_union_agg try_avg try_sum var_pop var_samp variance`,
	"window": `cume_dist dense_rank lag lead nth_value ntile percent_rank rank row_number`,
	"array": `array array_append array_compact array_contains array_distinct array_except array_insert array_intersect array_join
		array_max array_min array_position array_prepend array_remove array_repeat array_size array_union arrays_overlap arrays_zip
		flatten get sequence shuffle slice sort_array cardinality element_at size try_element_at reverse concat ||`,
	"lambda": `aggregate array_sort exists filter forall map_filter map_zip_with reduce transform transform_keys transform_values zip_with`,
	"map":    `map map_concat map_contains_key map_entries map_from_arrays map_from_entries map_keys map_values str_to_map`,
	"json":   `from_json get_json_object json_array_length json_object_keys json_tuple schema_of_json to_json`,
	"generator": `explode explode_outer inline inline_outer posexplode posexplode_outer stack range collations sql_keywords
		variant_explode variant_explode_outer`,
	"datetime": `add_months convert_timezone date_add date_diff date_format date_from_unix_date date_part date_sub date_trunc dateadd
		datediff datepart day dayname dayofmonth dayofweek dayofyear extract from_unixtime from_utc_timestamp hour last_day make_date
		make_dt_interval make_interval make_time make_timestamp make_timestamp_ltz make_timestamp_ntz make_ym_interval minute month
		monthname months_between next_day quarter second session_window time_diff time_trunc timestamp_micros timestamp_millis
		timestamp_seconds to_date to_time to_timestamp to_timestamp_ltz to_timestamp_ntz to_unix_timestamp to_utc_timestamp trunc
		try_make_interval try_make_timestamp try_make_timestamp_ltz try_make_timestamp_ntz try_to_date try_to_time try_to_timestamp
		unix_date unix_micros unix_millis unix_seconds unix_timestamp weekday weekofyear window window_time year`,
	"math": `% * + - / abs acos acosh asin asinh atan atan2 atanh bin bround cbrt ceil ceiling conv cos cosh cot csc degrees div e exp
		expm1 factorial floor greatest hex hypot least ln log log10 log1p log2 mod negative pi pmod positive pow power radians rint round
		sec sign signum sin sinh sqrt tan tanh try_add try_divide try_mod try_multiply try_subtract unhex uniform width_bucket`,
	"bitwise":     `& ^ | ~ << >> >>> bit_count bit_get getbit shiftleft shiftright shiftrightunsigned`,
	"predicate":   `! != < <= <=> <> = == > >= and between ilike in isnan isnotnull isnull like not or regexp regexp_like rlike equal_null`,
	"conditional": `case coalesce if ifnull nanvl nullif nullifzero nvl nvl2 when zeroifnull assert_true`,
	"misc": `aes_decrypt aes_encrypt try_aes_decrypt crc32 hash md5 sha sha1 sha2 xxhash64 current_catalog current_database current_schema
		input_file_block_length input_file_block_start input_file_name java_method reflect try_reflect spark_partition_id typeof
		bitmap_bit_position bitmap_bucket_number bitmap_count hll_sketch_estimate hll_union kll_sketch_get_n_bigint kll_sketch_get_n_double
		kll_sketch_get_n_float kll_sketch_get_quantile_bigint kll_sketch_get_quantile_double kll_sketch_get_quantile_float
		kll_sketch_get_rank_bigint kll_sketch_get_rank_double kll_sketch_get_rank_float kll_sketch_merge_bigint kll_sketch_merge_double
		kll_sketch_merge_float kll_sketch_to_string_bigint kll_sketch_to_string_double kll_sketch_to_string_float theta_difference
		theta_intersection theta_sketch_estimate theta_union st_asbinary st_geogfromwkb st_geomfromwkb st_setsrid st_srid collate collation
		cast`,
	"url":     `parse_url try_parse_url url_decode url_encode try_url_decode`,
	"xml":     `from_xml schema_of_xml to_xml xpath xpath_boolean xpath_double xpath_float xpath_int xpath_long xpath_number xpath_short xpath_string`,
	"csv":     `from_csv schema_of_csv to_csv`,
	"variant": `parse_json try_parse_json is_variant_null variant_get try_variant_get schema_of_variant schema_of_variant_agg to_variant_object`,
	"struct":  `named_struct struct`,
}

func sparkGroup(fn string) string {
	for g, names := range sparkGroupNames {
		for _, n := range strings.Fields(names) {
			if n == fn {
				return g
			}
		}
	}
	return "string"
}
