// Package duckdb is kitsune's local engine: a HiveServer2 service over an
// embedded DuckDB database, run as its own process (`kitsune engine`) that
// the gateway launches per tenant. It answers every TCLIService call, turns
// DuckDB's types into HiveServer2's (complex values as JSON strings, as
// Spark's Thrift server does), and rewrites the Spark SQL forms users type
// into DuckDB SQL (rewrite.go); anything it does not rewrite goes to DuckDB
// as is, so DuckDB's error names what it did not understand.
package duckdb
