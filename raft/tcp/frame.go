package tcp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// After the hellos, a connection carries frames, each a 4-byte big-endian
// header and a body:
//
//	header  2 bits of kind, then 30 bits: the body's length
//	kind 0  whole: the body is one encoded message (see AppendMessage);
//	        an empty body is a keep-alive
//	kind 2  first part: uvarint total, the length of a message sent in
//	        parts, then its first bytes
//	kind 3  next part: the next bytes of that message
//	kind 1  is not used: a peer that reads it drops the connection
//
// A message above Config.PartSize goes in parts of at most that many
// bytes; it is whole when a part brings it to its total. Whole messages
// and keep-alives may come between two parts, but not another message in
// parts: one is reassembled at a time. Every part carries bytes.

const (
	kindWhole = 0
	kindFirst = 2
	kindNext  = 3

	maxFrame = 1<<30 - 1 // the longest body a header can give
)

func appendHeader(b []byte, kind, n int) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(kind)<<30|uint32(n))
}

// appendPartHeader appends the header of the part of msg that starts at
// sent and is at most size bytes long (with the total, for the first),
// and returns the part's length: the frame is the header, then
// msg[sent:sent+n].
func appendPartHeader(b, msg []byte, sent, size int) (_ []byte, n int) {
	n = min(size, len(msg)-sent)
	if sent > 0 {
		return appendHeader(b, kindNext, n), n
	}
	var total [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(total[:], uint64(len(msg)))
	return append(appendHeader(b, kindFirst, k+n), total[:k]...), n
}

// errTooLarge says a peer sent, or began in parts, a message above
// Config.MaxMessage.
var errTooLarge = errors.New("above the limit")

// frameReader reads frames and gives back the messages they carry,
// reassembling those in parts.
type frameReader struct {
	r   *bufio.Reader
	max int // the longest message taken (Config.MaxMessage)
	// wait, if set, is called before each frame's header and again, once
	// the header has come, before its body: to set a deadline for each.
	wait func()

	part  []byte // the message in parts so far
	total int    // its length, 0 when there is none
}

// next returns the encoding of the next message. The caller may keep it:
// it is never reused.
func (f *frameReader) next() ([]byte, error) {
	for {
		if f.wait != nil {
			f.wait()
		}
		var head [4]byte
		if _, err := io.ReadFull(f.r, head[:]); err != nil {
			return nil, err
		}
		h := binary.BigEndian.Uint32(head[:])
		kind, n := int(h>>30), int(h&maxFrame)
		if n > 0 && f.wait != nil {
			f.wait() // the body has its own time, however late its header came
		}
		switch kind {
		case kindWhole:
			if n == 0 {
				continue // keep-alive
			}
			if n > f.max {
				return nil, fmt.Errorf("a message of %d bytes, %w of %d", n, errTooLarge, f.max)
			}
			b := make([]byte, n) // the message's entries keep it
			if _, err := io.ReadFull(f.r, b); err != nil {
				return nil, err
			}
			return b, nil
		case kindFirst:
			if f.total != 0 {
				return nil, errors.New("a message in parts began before the one before it ended")
			}
			c := byteCounter{r: f.r}
			total, err := binary.ReadUvarint(&c)
			if err != nil {
				return nil, err
			}
			if total > uint64(f.max) {
				return nil, fmt.Errorf("a message in parts of %d bytes, %w of %d", total, errTooLarge, f.max)
			}
			k := c.n // not the fewest bytes total needs: a uvarint may be padded
			if total == 0 || n <= k {
				return nil, errors.New("an empty message in parts")
			}
			f.total, n = int(total), n-k
			f.part = make([]byte, 0, f.total) // at most MaxMessage, as for a whole message
		case kindNext:
			if f.total == 0 {
				return nil, errors.New("a part of no message")
			}
			if n == 0 {
				return nil, errors.New("an empty part")
			}
		default:
			return nil, fmt.Errorf("a frame of kind %d", kind)
		}
		have := len(f.part)
		if n > f.total-have {
			return nil, fmt.Errorf("a part of %d bytes after %d of a message of %d", n, have, f.total)
		}
		f.part = f.part[:have+n]
		if _, err := io.ReadFull(f.r, f.part[have:]); err != nil {
			return nil, err
		}
		if len(f.part) == f.total {
			b := f.part
			f.part, f.total = nil, 0
			return b, nil
		}
	}
}

// byteCounter counts the bytes read through it.
type byteCounter struct {
	r *bufio.Reader
	n int
}

func (c *byteCounter) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
