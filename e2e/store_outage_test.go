//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/internal/testenv"
	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// The shared metadata store going away never breaks a running session: it
// affects only adoption, and a gateway that cannot adopt says "metadata
// store unavailable", not "invalid handle". Once the store is back, the
// other gateway adopts the session.
func TestMetadataStoreOutage(t *testing.T) {
	pg := testenv.StartPostgres(t)
	confs := []string{testSecret, "kitsune.metadata.store.url=" + pg.URL}
	a, b := startGateway(t, confs...), startGateway(t, confs...)
	dial := func(g *gateway) *client.Client {
		c, err := client.Dial(context.Background(), client.Options{Addr: g.httpAddr, HTTPPath: "cliservice", User: "ola", Password: "x"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ca, cb := dial(a), dial(b)
	resp := openSession(t, ca, tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10, nil)
	exec := func(c *client.Client) *tcli.TStatus {
		r, err := c.ExecuteStatement(context.Background(), &tcli.TExecuteStatementReq{SessionHandle: resp.SessionHandle, Statement: "SELECT 42"})
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if st := exec(ca); st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("before the outage: %v", st)
	}
	pg.Stop(t)
	if st := exec(ca); st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Errorf("the running session during the outage: %v", st)
	}
	st := exec(cb)
	if st.StatusCode != tcli.TStatusCode_ERROR_STATUS || !strings.Contains(st.GetErrorMessage(), "metadata store unavailable") {
		t.Errorf("adoption during the outage: %v %q, want \"metadata store unavailable\"", st.StatusCode, st.GetErrorMessage())
	}
	pg.Start(t)
	testenv.Eventually(t, 30*time.Second, func() error {
		if st := exec(cb); st.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
			return errString("after the outage: " + st.GetErrorMessage())
		}
		return nil
	})
}
