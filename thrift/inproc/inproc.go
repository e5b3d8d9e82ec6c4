// Package inproc is a TCLIService connection in the same process: calls are
// encoded, run through the generated processor of any TCLIService handler
// and decoded, as over a socket but without one. It is the engine
// connection's twin in unit tests (raw calls included), so a gateway can be
// tested against a fake engine with no process and no port.
package inproc

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/kitsune-sql/kitsune/thrift/client"
	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/serve"
)

// ErrClosed is a call on a closed connection.
var ErrClosed = errors.New("inproc: connection closed")

// Conn is a client connection to an in-process TCLIService.
type Conn struct {
	*tcli.TCLIServiceClient
	loop *loop
	prot thrift.TProtocol
}

// Dial connects to handler; a handler with raw functions
// (serve.RawProvider) is served through them, as serve does.
func Dial(handler tcli.TCLIService) *Conn {
	proc := tcli.NewTCLIServiceProcessor(handler)
	if rp, ok := handler.(serve.RawProvider); ok {
		for name, fn := range rp.RawFunctions() {
			proc.AddToProcessorMap(name, fn)
		}
	}
	l := &loop{proc: proc}
	prot := thrift.NewTBinaryProtocolConf(l, nil)
	return &Conn{TCLIServiceClient: tcli.NewTCLIServiceClientProtocol(l, prot, prot), loop: l, prot: prot}
}

// CallRaw sends method(args) and returns the reply's message type and its
// result struct undecoded, as thrift/client's CallRaw does.
func (c *Conn) CallRaw(ctx context.Context, method string, args thrift.TStruct) (thrift.TMessageType, []byte, error) {
	typ, err := client.Exchange(ctx, c.prot, method, args)
	if err != nil {
		return 0, nil, err
	}
	raw := append([]byte(nil), c.loop.out.Bytes()...)
	c.loop.out.Reset()
	return typ, raw, nil
}

// Close closes the connection: later calls fail with ErrClosed.
func (c *Conn) Close() error {
	c.loop.closed.Store(true)
	return nil
}

// loop is a transport whose Flush runs the written call through the
// processor and makes the reply readable.
type loop struct {
	proc   thrift.TProcessor
	in     bytes.Buffer
	out    bytes.Buffer
	closed atomic.Bool
}

var _ thrift.TTransport = (*loop)(nil)

func (l *loop) Open() error  { return nil }
func (l *loop) IsOpen() bool { return !l.closed.Load() }
func (l *loop) Close() error { l.closed.Store(true); return nil }

func (l *loop) Read(p []byte) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.out.Read(p)
}

func (l *loop) Write(p []byte) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.in.Write(p)
}

func (l *loop) RemainingBytes() uint64 { return uint64(l.out.Len()) }

// Flush runs the call written so far.
func (l *loop) Flush(ctx context.Context) error {
	if l.closed.Load() {
		return ErrClosed
	}
	req := thrift.NewTMemoryBufferLen(l.in.Len())
	_, _ = req.Write(l.in.Bytes())
	l.in.Reset()
	l.out.Reset()
	iprot := thrift.NewTBinaryProtocolConf(req, nil)
	oprot := thrift.NewTBinaryProtocolConf(&sink{&l.out}, nil)
	if _, err := l.proc.Process(ctx, iprot, oprot); err != nil {
		var x thrift.TApplicationException
		if errors.As(err, &x) {
			return nil // the exception was written as the reply
		}
		return err
	}
	return nil
}

// sink is the processor's output transport.
type sink struct{ buf *bytes.Buffer }

func (s *sink) Read(p []byte) (int, error)  { return 0, errors.New("inproc: write-only") }
func (s *sink) Write(p []byte) (int, error) { return s.buf.Write(p) }
func (s *sink) Close() error                { return nil }
func (s *sink) Flush(context.Context) error { return nil }
func (s *sink) RemainingBytes() uint64      { return 0 }
func (s *sink) Open() error                 { return nil }
func (s *sink) IsOpen() bool                { return true }
