// Package status is the one place where Go errors become HiveServer2
// TStatus values (SQLSTATE, error code, message) and back.
package status
