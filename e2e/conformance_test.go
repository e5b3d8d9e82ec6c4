//go:build e2e

package e2e

import (
	"context"
	"testing"

	"github.com/kitsune-sql/kitsune/thrift/client"
	"github.com/kitsune-sql/kitsune/thrift/conformance"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// TestConformanceThroughGateway runs the HiveServer2 conformance suite that
// engine/duckdb runs against the engine directly, through the gateway over
// both transports, so the two paths cannot drift.
func TestConformanceThroughGateway(t *testing.T) {
	g := startGateway(t)
	t.Run("binary", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) tcli.TCLIService { return g.native(t, "conformance") })
	})
	t.Run("http", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) tcli.TCLIService {
			c, err := client.Dial(context.Background(), client.Options{Addr: g.httpAddr, HTTPPath: "cliservice", User: "conformance", Password: "x"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		})
	})
}
