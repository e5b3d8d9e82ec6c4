// Package batch runs batch jobs (Kyuubi's /api/v1/batches): a Spark or
// PySpark application submitted through spark-submit with the same
// profiles, queues and identity as an engine launch, watched until it ends.
//
// A batch lives in the metadata store from the moment it is accepted, so
// a gateway restarted while its batches run picks them up again (the
// spark-submit process runs in its own process group and outlives the
// gateway; its output file and exit line tell how it ended), and any
// gateway sharing the store answers for it. The state of the application
// is read from spark-submit's output (YARN's application reports,
// Kubernetes' driver pod) and, where configured, from the resource
// manager's command line.
package batch
