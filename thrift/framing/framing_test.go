package framing

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

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

// countingConn counts the reads that reach the connection.
type countingConn struct {
	net.Conn
	reads int
}

func (c *countingConn) Read(p []byte) (int, error) { c.reads++; return c.Conn.Read(p) }

// Frames of every size around the read-ahead's come back whole, several
// frames sent in one write included, and a small message costs one read.
func TestReadAhead(t *testing.T) {
	ctx := context.Background()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cc := &countingConn{Conn: b}
	r := New(cc, 1<<20)
	sizes := []int{0, 1, aheadSize - 8, aheadSize - 4, aheadSize - 3, aheadSize, aheadSize + 1, 3 * aheadSize, 7}
	go func() {
		var all []byte
		for i, n := range sizes {
			body := make([]byte, n)
			for k := range body {
				body[k] = byte(i)
			}
			var hdr [4]byte
			binary.BigEndian.PutUint32(hdr[:], uint32(n))
			all = append(append(all, hdr[:]...), body...)
		}
		_, _ = a.Write(all) // one write: frames arrive together
	}()
	for i, n := range sizes {
		got := make([]byte, n)
		if n > 0 {
			if _, err := io.ReadFull(r, got); err != nil {
				t.Fatalf("frame %d (%d bytes): %v", i, n, err)
			}
		} else if err := r.readFrame(); err != nil {
			t.Fatalf("empty frame: %v", err)
		}
		for k := range got {
			if got[k] != byte(i) {
				t.Fatalf("frame %d byte %d = %d", i, k, got[k])
			}
		}
		if r.RemainingBytes() != 0 {
			t.Fatalf("frame %d: %d bytes left", i, r.RemainingBytes())
		}
	}
	// Small messages sent one by one over TCP (where header and body leave
	// in one writev): one read each, header and body together.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		p := thrift.NewTBinaryProtocolConf(New(c, 1<<20), nil)
		for i := range 10 {
			_ = p.WriteI32(ctx, int32(i))
			_ = p.Flush(ctx)
			time.Sleep(time.Millisecond) // each on its own
		}
	}()
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	cc = &countingConn{Conn: sc}
	r = New(cc, 1<<20)
	p := thrift.NewTBinaryProtocolConf(r, nil)
	for i := range 10 {
		if v, err := p.ReadI32(ctx); err != nil || v != int32(i) {
			t.Fatalf("message %d: %d %v", i, v, err)
		}
	}
	if cc.reads > 10 {
		t.Errorf("10 small messages took %d reads", cc.reads)
	}
}

// A large frame's bytes are handed over without a copy and the transport
// lets go of them; a small one's are copied out of the read-ahead. A
// message written partly by reference leaves whole and in order.
func TestTakeRemainingAndWriteRef(t *testing.T) {
	ctx := context.Background()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	w, r := New(a, 1<<20), New(b, 1<<20)
	big := bytes.Repeat([]byte("y"), 3*aheadSize)
	go func() {
		p := thrift.NewTBinaryProtocolConf(w, nil)
		_ = p.WriteI32(ctx, 7)
		w.WriteRef([]byte("small"))
		_ = p.Flush(ctx)
		_ = p.WriteI32(ctx, 8)
		w.WriteRef(big)
		_ = p.WriteByte(ctx, 'z') // after the reference, in order
		_ = p.Flush(ctx)
	}()
	p := thrift.NewTBinaryProtocolConf(r, nil)
	if v, _ := p.ReadI32(ctx); v != 7 {
		t.Fatalf("first message %d", v)
	}
	if rest := r.TakeRemaining(); string(rest) != "small" {
		t.Fatalf("small rest %q", rest)
	}
	if v, _ := p.ReadI32(ctx); v != 8 {
		t.Fatalf("second message %d", v)
	}
	rest := r.TakeRemaining()
	if !bytes.Equal(rest, append(append([]byte(nil), big...), 'z')) {
		t.Fatalf("large rest: %d bytes", len(rest))
	}
	if r.rbuf != nil {
		t.Error("the transport kept a large frame it handed over")
	}
}
