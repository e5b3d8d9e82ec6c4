package memory_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/kitsune-sql/kitsune/discovery"
	"github.com/kitsune-sql/kitsune/discovery/conformance"
	"github.com/kitsune-sql/kitsune/discovery/memory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	s := memory.NewStore()
	conformance.Run(t, "/kitsune-test", func(t *testing.T) discovery.Conn {
		c := s.Conn()
		t.Cleanup(func() { c.Close() })
		return c
	})
}
