package duckdb

import (
	"context"
	"net"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/kitsune-sql/kitsune/thrift/client"
	"github.com/kitsune-sql/kitsune/thrift/conformance"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// TestConformance runs the HiveServer2 conformance suite against the local
// engine served over the binary transport, as a gateway reaches it (the
// e2e tests run the same suite through the gateway).
func TestConformance(t *testing.T) {
	svc, err := Open(Config{ID: "conformance", Secret: "s3cret", Threads: 2, StatusPollWait: 100 * time.Millisecond}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := serve.New(serve.Config{MaxMessageSize: 100 << 20}, svc, svc, zaptest.NewLogger(t))
	done := make(chan error, 1)
	go func() { done <- srv.ServeBinary(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		srv.ForceClose()
		<-done
		svc.Close()
	})
	conformance.Run(t, func(t *testing.T) tcli.TCLIService {
		c, err := client.Dial(context.Background(), client.Options{Addr: ln.Addr().String(), User: "tess", Password: "s3cret", Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	})
}
