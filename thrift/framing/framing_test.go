package framing

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"

	"github.com/apache/thrift/lib/go/thrift"
)

func pair(t *testing.T, max int32) (*Transport, *Transport) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return New(a, max), New(b, max)
}

// Messages written by one side are read back whole by the other, through
// Apache Thrift's own framed transport too (the wire format is the same).
func TestFramesRoundTrip(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t, 1<<20)
	big := strings.Repeat("x", 200<<10)
	go func() {
		p := thrift.NewTBinaryProtocolConf(a, nil)
		for _, s := range []string{"hello", big, "after"} {
			_ = p.WriteString(ctx, s)
			_ = p.Flush(ctx)
		}
	}()
	p := thrift.NewTBinaryProtocolConf(b, nil)
	for _, want := range []string{"hello", big, "after"} {
		got, err := p.ReadString(ctx)
		if err != nil || got != want {
			t.Fatalf("read %d bytes (%v), want %d", len(got), err, len(want))
		}
	}
	if b.rbuf != nil && cap(b.rbuf) > keep {
		t.Errorf("a %d-byte buffer was kept after a large frame", cap(b.rbuf))
	}
}

func TestInteroperatesWithTFramedTransport(t *testing.T) {
	ctx := context.Background()
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	ours := New(c1, 1<<20)
	theirs := thrift.NewTFramedTransportConf(thrift.NewTSocketFromConnConf(c2, nil), nil)
	go func() {
		p := thrift.NewTBinaryProtocolConf(ours, nil)
		_ = p.WriteI64(ctx, 42)
		_ = p.Flush(ctx)
	}()
	if v, err := thrift.NewTBinaryProtocolConf(theirs, nil).ReadI64(ctx); err != nil || v != 42 {
		t.Fatalf("TFramedTransport read %d %v", v, err)
	}
	go func() {
		p := thrift.NewTBinaryProtocolConf(theirs, nil)
		_ = p.WriteString(ctx, "back")
		_ = p.Flush(ctx)
	}()
	if s, err := thrift.NewTBinaryProtocolConf(ours, nil).ReadString(ctx); err != nil || s != "back" {
		t.Fatalf("read %q %v", s, err)
	}
}

func TestOversizedFrameRefusedBeforeRead(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	tr := New(b, 1024)
	go func() {
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], 2<<30) // 2 GiB, never sent
		_, _ = a.Write(hdr[:])
	}()
	buf := make([]byte, 8)
	if _, err := tr.Read(buf); err == nil || !strings.Contains(err.Error(), "larger than the maximum") {
		t.Fatalf("oversized frame: %v", err)
	}
	if cap(tr.rbuf) != 0 {
		t.Errorf("allocated %d bytes for a refused frame", cap(tr.rbuf))
	}
}
