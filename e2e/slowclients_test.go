//go:build e2e

package e2e

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// closedByServer reads from nc until the server closes it; a read that
// times out (the client's generous deadline) means the server kept it.
func closedByServer(t *testing.T, nc net.Conn, what string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(15 * time.Second))
	buf := make([]byte, 512)
	for {
		_, err := nc.Read(buf)
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: the gateway still held the connection after 15 s", what)
		}
		return
	}
}

// HiveServer2 and Kyuubi close a client that does not finish its login
// within hive.server2.thrift.login.timeout / kyuubi.frontend.thrift.login.timeout
// (20 s by default); so does kitsune, on both transports.
func TestSlowClientsAreBounded(t *testing.T) {
	g := startGateway(t, "kitsune.frontend.thrift.login.timeout=PT2S", "kitsune.frontend.thrift.login.max.concurrent=1")

	// A connection that says nothing holds no login slot (only credential
	// checks do), so a real client beside it logs in at once, even with a
	// single slot; the silent one is closed at its login timeout.
	silent, err := net.Dial("tcp", g.binAddr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(context.Background(), client.Options{Addr: g.binAddr, User: "alice", Password: "x", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("a client was refused beside one silent connection: %v", err)
	}
	resp, err := c.OpenSession(context.Background(), &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10})
	if err != nil || resp.Status.StatusCode != tcli.TStatusCode_SUCCESS_STATUS {
		t.Fatalf("open beside a silent connection: %v %v", resp, err)
	}
	c.Close()
	closedByServer(t, silent, "silent binary connection")
	silent.Close()

	// A client that trickles its SASL start is closed at the deadline too.
	trickle, err := net.Dial("tcp", g.binAddr)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for _, b := range []byte{0x01, 0, 0, 0, 5, 'P', 'L', 'A', 'I', 'N'} {
			if _, err := trickle.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(400 * time.Millisecond)
		}
	}()
	closedByServer(t, trickle, "trickling binary connection")
	trickle.Close()

	// HTTP: a request whose headers never end is closed too.
	h, err := net.Dial("tcp", g.httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = h.Write([]byte("POST /cliservice HTTP/1.1\r\nHost: kitsune\r\n"))
	closedByServer(t, h, "HTTP request with unfinished headers")
	h.Close()
	if !strings.Contains(g.out.String(), "kitsune.frontend.thrift.login.timeout") {
		t.Errorf("no log line names the login timeout:\n%s", g.out.String())
	}
}
