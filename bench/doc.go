// Package bench holds kitsune's performance harness; the load tool in
// cmd/kitsune-bench measures a live gateway against its engine directly
// (`make bench`). Figures are reported, never asserted in `make test`.
package bench
