// Package spark launches Spark SQL engines with spark-submit onto YARN,
// Kubernetes, standalone or local masters, in one of two modes: Spark's own
// Thrift server (HiveThriftServer2, client deploy mode) or the Apache Kyuubi
// Spark SQL engine jar (which registers itself in ZooKeeper). Build turns a
// tenant's key, profile and confs into the exact command line.
package spark
