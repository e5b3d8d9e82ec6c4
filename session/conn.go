package session

import (
	"context"
	"time"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// EngineConn is one connection to an engine: the TCLIService calls, raw
// calls whose reply passes on undecoded, and Close. A connection carries
// one call at a time.
type EngineConn interface {
	tcli.TCLIService
	CallRaw(ctx context.Context, method string, args thrift.TStruct) (thrift.TMessageType, []byte, error)
	Close() error
}

var _ EngineConn = (*client.Client)(nil)

// Dialer opens engine connections: to addr, as user, with the deployment's
// engine secret as the password.
type Dialer interface {
	Dial(ctx context.Context, addr, user, secret string) (EngineConn, error)
}

// ClientDialer dials engines over the binary SASL transport.
type ClientDialer struct {
	// Timeout bounds connecting (10s when 0).
	Timeout time.Duration
}

var _ Dialer = ClientDialer{}

// Dial implements Dialer.
func (d ClientDialer) Dial(ctx context.Context, addr, user, secret string) (EngineConn, error) {
	timeout := d.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	c, err := client.Dial(ctx, client.Options{Addr: addr, User: user, Password: secret, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	return c, nil
}
