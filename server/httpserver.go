package server

import (
	"net/http"
	"time"
)

// Timeouts bound how long a connection may hold the server without doing
// its part. The page's largest file, the wasm, is 3.5 MB (about 1 MB
// compressed): a fixed write deadline short enough to matter would cut a
// student on a slow link half-way through it, so writes get a deadline
// per step of progress instead, and only a generous bound on the whole.
type Timeouts struct {
	// ReadHeader is how long a client has to send a request's headers.
	ReadHeader time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request.
	Idle time.Duration
	// Stall is how long one write to the client may wait for it to read:
	// a reader that takes nothing for this long is cut off, a slow one
	// that keeps reading is not.
	Stall time.Duration
	// Response bounds one response, however steadily it is read: 3.5 MB
	// in 20 minutes is under 3 KB/s.
	Response time.Duration
}

// DefaultTimeouts are the localhost server's.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		ReadHeader: 10 * time.Second,
		Idle:       30 * time.Second,
		Stall:      30 * time.Second,
		Response:   20 * time.Minute,
	}
}

// maxHeaderBytes bounds a request's headers. Shared runs travel in the
// fragment, which never reaches the server; the longest request line is an
// oEmbed query (its url at most 4 KB).
const maxHeaderBytes = 64 << 10

// NewHTTPServer returns an http.Server for h with these timeouts: the one
// cmd/playground serves. (Workers has no such knobs: Cloudflare holds the
// connections.)
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Handler:           progressDeadlines(h, t),
		ReadHeaderTimeout: t.ReadHeader,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// progressDeadlines gives every write of a response its own deadline,
// Stall from when it starts (and never past Response from the request's
// start), so a download lasts as long as the client keeps reading.
// http.Server's WriteTimeout cannot do this: it is one deadline for the
// whole response.
func progressDeadlines(h http.Handler, t Timeouts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &progressWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: t.Stall, end: time.Now().Add(t.Response)}
		// Also replaces the deadline an earlier response on this
		// connection left behind (net/http resets it only when
		// WriteTimeout is set), and covers the final flush of short
		// answers written in one go.
		pw.extend()
		h.ServeHTTP(pw, r)
	})
}

// progressWriter is an http.ResponseWriter that moves the connection's
// write deadline on before every write. It has no ReadFrom on purpose:
// io.Copy then writes in 32 KB pieces, each with its own deadline, instead
// of handing the whole body to the connection under one.
type progressWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
}

func (p *progressWriter) extend() {
	d := time.Now().Add(p.stall)
	if d.After(p.end) {
		d = p.end
	}
	_ = p.rc.SetWriteDeadline(d) // unsupported only by tests' recorders
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.extend()
	return p.ResponseWriter.Write(b)
}

func (p *progressWriter) WriteHeader(code int) {
	p.extend()
	p.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
