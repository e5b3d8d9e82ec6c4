// Package framing is Thrift's framed transport (a 4-byte big-endian length
// before each message) straight over a connection: a frame is read into a
// buffer the size of that frame, and a message is written as the header and
// its body in one writev. Apache Thrift's TFramedTransport over a
// TBufferedTransport keeps a 64 KiB read and a 64 KiB write buffer per
// connection whatever the messages' sizes; with a connection per client
// session that was most of the gateway's memory per idle session.
package framing

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"

	"github.com/apache/thrift/lib/go/thrift"
)

// keep is the largest read buffer kept between messages; a larger one (a
// big result page, handed over or read) is let go once used.
const keep = 64 << 10

// keepWrite is the largest write buffer kept between messages: an engine
// writes result pages of hundreds of KiB, and growing a buffer afresh for
// each page cost a copy and a zeroed allocation per doubling. A gateway's
// client connections send replies by reference and keep small buffers.
const keepWrite = 4 << 20

// aheadSize is the read-ahead buffer: a small message's header and body
// come in one read system call.
const aheadSize = 4 << 10

// Transport is a framed thrift.TTransport over conn. Not safe for
// concurrent use: one call at a time, as the protocol runs.
type Transport struct {
	conn     net.Conn
	maxFrame int32
	// ahead holds bytes read past the frame being read (lo to hi); small
	// frames are read in place there.
	ahead   []byte
	lo, hi  int
	rbuf    []byte // the frame being read (within ahead, or its own)
	rpos    int
	inAhead bool // rbuf lies in ahead
	wbuf    bytes.Buffer
	tail    []byte // written after wbuf by Flush, not copied (WriteRef)
}

var _ thrift.TTransport = (*Transport)(nil)

// New returns a framed transport over conn refusing frames above maxFrame
// bytes before reading them.
func New(conn net.Conn, maxFrame int32) *Transport {
	return &Transport{conn: conn, maxFrame: maxFrame}
}

// Open implements thrift.TTransport: the connection is open already.
func (t *Transport) Open() error { return nil }

// IsOpen implements thrift.TTransport.
func (t *Transport) IsOpen() bool { return t.conn != nil }

// Close closes the connection.
func (t *Transport) Close() error { return t.conn.Close() }

// Read implements io.Reader within frames: a read at a frame's end reads
// the next frame.
func (t *Transport) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if t.rpos == len(t.rbuf) {
		if err := t.readFrame(); err != nil {
			return 0, err
		}
	}
	n := copy(p, t.rbuf[t.rpos:])
	t.rpos += n
	t.release()
	return n, nil
}

// ReadByte implements io.ByteReader, which the binary protocol prefers.
func (t *Transport) ReadByte() (byte, error) {
	if t.rpos == len(t.rbuf) {
		if err := t.readFrame(); err != nil {
			return 0, err
		}
	}
	b := t.rbuf[t.rpos]
	t.rpos++
	t.release()
	return b, nil
}

// release lets go of a large frame's own buffer once it is read.
func (t *Transport) release() {
	if t.rpos == len(t.rbuf) && cap(t.rbuf) > keep {
		t.rbuf, t.rpos = nil, 0
	}
}

// fill reads until at least n bytes are ahead (n <= aheadSize), keeping
// the unread ones.
func (t *Transport) fill(n int) error {
	if t.ahead == nil {
		t.ahead = make([]byte, aheadSize)
	}
	if t.hi-t.lo >= n {
		return nil
	}
	if t.lo > 0 {
		t.hi = copy(t.ahead, t.ahead[t.lo:t.hi])
		t.lo = 0
	}
	for t.hi < n {
		k, err := t.conn.Read(t.ahead[t.hi:])
		t.hi += k
		if err != nil && t.hi < n {
			if err == io.EOF && t.hi > 0 {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

func (t *Transport) readFrame() error {
	if err := t.fill(4); err != nil {
		return thrift.NewTTransportExceptionFromError(err)
	}
	size := int32(binary.BigEndian.Uint32(t.ahead[t.lo:]))
	if size < 0 || (t.maxFrame > 0 && size > t.maxFrame) {
		return thrift.NewTTransportException(thrift.UNKNOWN_TRANSPORT_EXCEPTION,
			fmt.Sprintf("frame of %d bytes is larger than the maximum of %d", size, t.maxFrame))
	}
	t.lo += 4
	t.rpos = 0
	n := int(size)
	if n <= aheadSize {
		if err := t.fill(n); err != nil {
			t.rbuf = nil
			return thrift.NewTTransportExceptionFromError(err)
		}
		t.rbuf, t.inAhead = t.ahead[t.lo:t.lo+n:t.lo+n], true
		t.lo += n
		return nil
	}
	// A large frame gets a buffer of its own: what is ahead, then the rest.
	t.rbuf, t.inAhead = make([]byte, n), false
	got := copy(t.rbuf, t.ahead[t.lo:t.hi])
	t.lo += got
	if _, err := io.ReadFull(t.conn, t.rbuf[got:]); err != nil {
		t.rbuf = nil
		return thrift.NewTTransportExceptionFromError(err)
	}
	return nil
}

// TakeRemaining returns the rest of the frame being read and consumes it:
// a large frame's own buffer is handed over without a copy (the transport
// lets go of it); a small frame's bytes are copied out of the read-ahead,
// which the next frame reuses.
func (t *Transport) TakeRemaining() []byte {
	rest := t.rbuf[t.rpos:]
	if t.inAhead {
		out := append([]byte(nil), rest...)
		t.rpos = len(t.rbuf)
		return out
	}
	t.rbuf, t.rpos = nil, 0
	return rest
}

// WriteRef appends b to the message being written without copying it; b
// must not change until Flush. A second WriteRef copies the first.
func (t *Transport) WriteRef(b []byte) {
	t.spill()
	t.tail = b
}

// spill copies a by-reference tail into the buffer, so that what is
// written next comes after it.
func (t *Transport) spill() {
	if t.tail != nil {
		t.wbuf.Write(t.tail)
		t.tail = nil
	}
}

// RemainingBytes is what is left of the frame being read.
func (t *Transport) RemainingBytes() uint64 { return uint64(len(t.rbuf) - t.rpos) }

// Write buffers a message until Flush.
func (t *Transport) Write(p []byte) (int, error) {
	t.spill()
	return t.wbuf.Write(p)
}

// WriteByte implements io.ByteWriter.
func (t *Transport) WriteByte(b byte) error {
	t.spill()
	return t.wbuf.WriteByte(b)
}

// WriteString implements io.StringWriter.
func (t *Transport) WriteString(s string) (int, error) {
	t.spill()
	return t.wbuf.WriteString(s)
}

// Flush writes the buffered message as one frame: header and body in one
// system call.
func (t *Transport) Flush(context.Context) error {
	if t.wbuf.Len() == 0 && t.tail == nil {
		return nil
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(t.wbuf.Len()+len(t.tail)))
	bufs := net.Buffers{hdr[:], t.wbuf.Bytes(), t.tail}
	_, err := bufs.WriteTo(t.conn)
	t.tail = nil
	if t.wbuf.Cap() > keepWrite {
		t.wbuf = bytes.Buffer{}
	} else {
		t.wbuf.Reset()
	}
	if err != nil {
		return thrift.NewTTransportExceptionFromError(err)
	}
	return nil
}
