// Package thrift holds kitsune's HiveServer2 protocol: the project's IDL
// (idl/TCLIService.thrift, Hive's TCLIService V1–V11 plus the
// Spark/Databricks extension fields), the Go code generated from it
// (gen/tcliservice, by `make generate`, never hand-edited), and the serving
// and dialing code shared by the gateway, the engines and the clients.
package thrift
