// Package beeline is kitsune's native HiveServer2 command-line client
// (`kitsune beeline`), flag-compatible with Hive's Beeline for the common
// cases: -u JDBC URL, -n, -p, -e (repeatable), -f, --outputformat,
// --silent, --hiveconf, --hivevar, and an interactive prompt with history.
package beeline
