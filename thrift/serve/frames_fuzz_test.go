package serve

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
	"github.com/kitsune-sql/kitsune/thrift/sasl"
)

// openSessionFrame is one framed, valid OpenSession call.
func openSessionFrame(f *testing.F) []byte {
	buf := thrift.NewTMemoryBuffer()
	p := thrift.NewTBinaryProtocolConf(buf, nil)
	ctx := context.Background()
	_ = p.WriteMessageBegin(ctx, "OpenSession", thrift.CALL, 1)
	args := tcli.TCLIServiceOpenSessionArgs{Req: &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10}}
	if err := args.Write(ctx, p); err != nil {
		f.Fatal(err)
	}
	_ = p.WriteMessageEnd(ctx)
	frame := binary.BigEndian.AppendUint32(nil, uint32(buf.Len()))
	return append(frame, buf.Bytes()...)
}

// FuzzBinaryFrames feeds arbitrary bytes to the frame reader of an
// authenticated binary connection: no panic, no hang, and no allocation
// beyond what the configured message size allows.
func FuzzBinaryFrames(f *testing.F) {
	valid := openSessionFrame(f)
	f.Add(valid)
	f.Add(append(append([]byte(nil), valid...), valid...))
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 0x80, 0x01, 0x00, 0x01})                                     // a 2 GiB frame
	f.Add([]byte{0x00, 0x00, 0x00, 0x0c, 0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0}) // a 2 GiB method name
	f.Add(append(valid[:4:4], 0x0b, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xf0))                              // a huge string in a frame
	const limit = 64 << 10
	f.Fuzz(func(t *testing.T, in []byte) {
		s := New(Config{MaxMessageSize: limit}, &fake{}, users{}, zap.NewNop())
		srv, cl := net.Pipe()
		done := make(chan struct{})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		go func() { s.serveConn(context.Background(), srv); close(done) }()
		go func() { _, _ = io.Copy(io.Discard, cl) }()
		_ = cl.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = sasl.WriteMessage(cl, sasl.StatusStart, []byte("PLAIN"))
		_ = sasl.WriteMessage(cl, sasl.StatusOK, []byte("\x00ann\x00pw"))
		_, _ = cl.Write(in)
		cl.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the server did not finish the connection for input %x", in)
		}
		runtime.ReadMemStats(&after)
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 64*limit+uint64(len(in))*8 {
			t.Errorf("%d bytes allocated for %d bytes of input (limit %d)", grown, len(in), limit)
		}
	})
}
