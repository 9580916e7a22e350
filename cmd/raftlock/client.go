package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/raft/lock"
)

// clientConfig is what `raftlock lock|unlock|read|add|remove` is told.
type clientConfig struct {
	op      string // lock, unlock, read, add, remove
	client  string
	id      uint64 // add, remove: the server
	addr    string // add: its Raft address
	servers []string
	timeout time.Duration
}

// admin reports whether the command changes the members.
func (c *clientConfig) admin() bool { return c.op == "add" || c.op == "remove" }

func parseClient(op string, args []string, stderr io.Writer) (*clientConfig, error) {
	fs := flag.NewFlagSet("raftlock "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &clientConfig{op: op}
	timeout := 10 * time.Second
	if c.admin() {
		fs.Uint64Var(&c.id, "id", 0, "the server's id")
		timeout = time.Minute // an addition waits for the new server to catch up
	} else {
		fs.StringVar(&c.client, "client", "", "the client taking or releasing the lock (letters, digits, - and _)")
	}
	if op == "add" {
		fs.StringVar(&c.addr, "addr", "", "the new server's Raft address, host:port, as in its -peers")
	}
	servers := fs.String("server", "http://127.0.0.1:8001", "the servers' HTTP addresses, comma-separated: a request that gets no answer goes to the next")
	fs.DurationVar(&c.timeout, "timeout", timeout, "how long to keep trying")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.admin() && c.id == 0 {
		return nil, errors.New("-id is required: the server's id, from 1")
	}
	if op == "add" {
		if err := validAddr(c.addr); err != nil {
			return nil, fmt.Errorf("-addr: %v", err)
		}
	}
	if op == "lock" || op == "unlock" {
		if err := lock.ValidClient(c.client); err != nil {
			return nil, fmt.Errorf("-client: %v", err)
		}
	}
	for _, s := range strings.Split(*servers, ",") {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("-server: %q is not an http:// or https:// address", s)
		}
		c.servers = append(c.servers, strings.TrimSuffix(s, "/"))
	}
	if c.timeout <= 0 {
		return nil, errors.New("-timeout must be positive")
	}
	return c, nil
}

func runClient(op string, args []string, stdout, stderr io.Writer) int {
	c, err := parseClient(op, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "raftlock %s: %v\n", op, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	reply, err := c.do(ctx, http.DefaultClient)
	var bad badRequest
	var no refused
	switch {
	case errors.As(err, &no):
		fmt.Fprintf(stderr, "raftlock %s: %v\n", op, err)
		return 1
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "raftlock %s: %v\n", op, err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "raftlock %s: %v\n", op, err)
		return 1
	}
	fmt.Fprintln(stdout, reply)
	return 0
}

// badRequest is a server's 400: sending the request again will not help.
type badRequest string

func (b badRequest) Error() string { return string(b) }

// refused is a server's 404, 409 or 421 to a membership change: not a
// member, another change under way, a server in no cluster. Sending it
// again now will not help.
type refused string

func (r refused) Error() string { return string(r) }

// do sends the request to the servers in turn until one answers. A write
// is one request, with one identity (a session of its own and sequence
// number 1) however many times it is sent: it is applied at most once.
func (c *clientConfig) do(ctx context.Context, hc *http.Client) (string, error) {
	form := url.Values{}
	switch {
	case c.admin():
		form.Set("id", strconv.FormatUint(c.id, 10))
		if c.addr != "" {
			form.Set("addr", c.addr)
		}
	case c.op != "read":
		form.Set("client", c.client)
		form.Set("session", strconv.FormatUint(newSession(), 10))
		form.Set("seq", "1")
	}
	var last error
	for round := 0; ; round++ {
		for _, server := range c.servers {
			reply, err := c.send(ctx, hc, server, form)
			if err == nil {
				return reply, nil
			}
			var bad badRequest
			var no refused
			if errors.As(err, &bad) || errors.As(err, &no) {
				return "", err
			}
			last = err
			if ctx.Err() != nil {
				return "", fmt.Errorf("no answer within %v; a write may or may not be applied (last: %v)", c.timeout, last)
			}
		}
		// Every server failed this round: wait a little before the next.
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no answer within %v; a write may or may not be applied (last: %v)", c.timeout, last)
		case <-time.After(min(time.Duration(round+1)*100*time.Millisecond, time.Second)):
		}
	}
}

func (c *clientConfig) send(ctx context.Context, hc *http.Client, server string, form url.Values) (string, error) {
	var req *http.Request
	var err error
	if c.op == "read" {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, server+"/read", nil)
	} else {
		path := "/" + c.op
		if c.admin() {
			path = "/members/" + c.op
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, server+path, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	text := strings.TrimSpace(string(body))
	switch resp.StatusCode {
	case http.StatusOK:
		return text, nil
	case http.StatusBadRequest:
		return "", badRequest(server + ": " + text)
	case http.StatusNotFound, http.StatusConflict, http.StatusMisdirectedRequest:
		if c.admin() {
			return "", refused(server + ": " + text)
		}
	}
	return "", fmt.Errorf("%s: %s: %s", server, resp.Status, text)
}

// newSession returns a random session id between 1 and 2^63-1: one per
// client run, so that no two runs' writes share an identity.
func newSession() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if s := binary.LittleEndian.Uint64(b[:]) >> 1; s != 0 {
			return s
		}
	}
}
