package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests below run NewHTTPServer with short timeouts on a real socket.
// Socket buffers are made small on both ends, so that the server's writes
// wait for the client to read, as they do for a large file over a slow
// link; otherwise the kernel would swallow the whole body at once.

const smallBuffer = 16 << 10

// bigBody is served by the test server: a file the size of a large asset.
var bigBody = bytes.Repeat([]byte("raft"), 512<<10/4)

// testServer serves NewHTTPServer(t) and reports every connection the server
// closes on closed.
type testServer struct {
	addr   string
	closed chan net.Conn
}

func startTestServer(t *testing.T, to Timeouts) *testServer {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "big.bin", time.Time{}, bytes.NewReader(bigBody))
	})
	srv := NewHTTPServer(h, to)
	ts := &testServer{closed: make(chan net.Conn, 16)}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			ts.closed <- c
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = srv.Serve(smallSendBuffers{ln})
	}()
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	return ts
}

// smallSendBuffers shrinks the send buffer of every accepted connection.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(smallBuffer)
	}
	return c, err
}

// dial connects with a small receive buffer.
func (ts *testServer) dial(t *testing.T) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		_ = rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, smallBuffer)
		})
		return err
	}}
	c, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed waits until the server closes a connection, or fails after
// within.
func (ts *testServer) waitClosed(t *testing.T, what string, within time.Duration) {
	t.Helper()
	select {
	case <-ts.closed:
	case <-time.After(within):
		t.Fatalf("%s: the server still holds the connection after %v", what, within)
	}
}

// A slow reader that keeps reading gets the whole file, though the
// download lasts several times the stall deadline: the deadline moves
// with every step of progress. (A single write deadline, as
// http.Server.WriteTimeout sets, cuts it.)
func TestSlowReaderGetsTheWholeFile(t *testing.T) {
	ts := startTestServer(t, Timeouts{ReadHeader: time.Minute, Idle: time.Minute, Stall: 500 * time.Millisecond, Response: time.Minute})
	c := ts.dial(t)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 4096), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	buf := make([]byte, smallBuffer)
	for {
		// The pace of a slow link: 16 KB every 40 ms, 400 KB/s.
		time.Sleep(40 * time.Millisecond)
		n, err := resp.Body.Read(buf)
		got += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d of %d bytes and %v: %v", got, len(bigBody), time.Since(start), err)
		}
	}
	if got != len(bigBody) {
		t.Fatalf("got %d bytes of %d", got, len(bigBody))
	}
	if took := time.Since(start); took < 1*time.Second {
		t.Fatalf("the download took %v, not long enough to outlast the 500 ms stall deadline: the test proves nothing", took)
	}
}

// A reader that stops reading is cut off once a write has waited the
// stall deadline.
func TestStalledReaderIsCutOff(t *testing.T) {
	ts := startTestServer(t, Timeouts{ReadHeader: time.Minute, Idle: time.Minute, Stall: 300 * time.Millisecond, Response: time.Minute})
	c := ts.dial(t)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	ts.waitClosed(t, "a reader that reads nothing", 10*time.Second)
}

// A response is bounded as a whole too, however steadily it is read.
func TestResponseBound(t *testing.T) {
	ts := startTestServer(t, Timeouts{ReadHeader: time.Minute, Idle: time.Minute, Stall: time.Minute, Response: 300 * time.Millisecond})
	c := ts.dial(t)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	ts.waitClosed(t, "a response past its bound", 10*time.Second)
}

// A client that never finishes its request's headers is cut off.
func TestReadHeaderTimeout(t *testing.T) {
	ts := startTestServer(t, Timeouts{ReadHeader: 300 * time.Millisecond, Idle: time.Minute, Stall: time.Minute, Response: time.Minute})
	c := ts.dial(t)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: te")
	ts.waitClosed(t, "half a request", 10*time.Second)
}

// A kept-alive connection that sends no next request is closed; one that
// does gets its answer, even after the previous response's write deadline
// has passed.
func TestIdleConnections(t *testing.T) {
	ts := startTestServer(t, Timeouts{ReadHeader: time.Minute, Idle: 600 * time.Millisecond, Stall: 100 * time.Millisecond, Response: time.Minute})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	for i := range 2 {
		start := time.Now()
		fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: test\r\nRange: bytes=0-99\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil || len(b) != 100 {
			t.Fatalf("request %d: %d bytes, %v", i+1, len(b), err)
		}
		// Idle past the stall deadline (but not the idle one) before
		// the next request. This wait is the situation under test, not
		// a synchronisation.
		time.Sleep(time.Until(start.Add(300 * time.Millisecond)))
	}
	ts.waitClosed(t, "an idle kept-alive connection", 10*time.Second)
}
