//go:build process

package main

// A Jepsen-style test: raftlock servers as processes on loopback, every
// link between two servers through a TCP proxy of the test's. Clients
// write and read at random servers while a nemesis kills servers with
// SIGKILL and restarts them on the same directories, and cuts and heals
// links (closing connections, or stalling them as a silent network does).
// It also removes s1 from the cluster and adds it back, by the membership
// API. Then the faults stop, s1 is added back if it is out, and the test
// checks that:
//   - the cluster serves again, at every server, within a bound;
//   - every server applied the same writes in the same order, none twice,
//     and every acknowledged write among them with the reply its client got;
//   - the clients' history is linearizable (porcupine, the lock's model).

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

func TestJepsenThreeServers(t *testing.T) { jepsen(t, 3, 12*time.Second) }
func TestJepsenFiveServers(t *testing.T)  { jepsen(t, 5, 12*time.Second) }

// network is the test's proxies: one in front of each server, through
// which every other server reaches it, whichever of a pair dials (the
// lower id, or the higher one when the lower has not for a while). A
// proxy reads the hello each connection opens with (raft/tcp's: "RAFT", a
// version byte, the dialer's id as a uvarint) to learn which pair it
// joins. A pair's link is cut both ways: its connections closed
// ("reset"), or their bytes held ("stall"), as a partition does; new
// connections meet the same fate until it heals.
type network struct {
	mu    sync.Mutex
	cond  *sync.Cond
	cuts  map[[2]int]string // [low, high] ids: "", "reset" or "stall"
	conns map[net.Conn][2]int
}

func newNetwork() *network {
	n := &network{cuts: map[[2]int]string{}, conns: map[net.Conn][2]int{}}
	n.cond = sync.NewCond(&n.mu)
	return n
}

// proxy listens for the connections to server id, at target.
func (n *network) proxy(t *testing.T, id int, target string) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go n.forward(c, id, target)
		}
	}()
	t.Cleanup(func() { ln.Close(); n.heal(); n.closeAll() })
	return ln
}

func (n *network) forward(c net.Conn, id int, target string) {
	from, hello, err := readDialer(c)
	if err != nil {
		c.Close()
		return
	}
	pair := [2]int{min(from, id), max(from, id)}
	if n.waitWhileStalled(pair) == "reset" {
		c.Close()
		return
	}
	d, err := net.Dial("tcp", target)
	if err == nil {
		_, err = d.Write(hello)
	}
	if err != nil {
		c.Close()
		return
	}
	n.mu.Lock()
	n.conns[c], n.conns[d] = pair, pair
	n.mu.Unlock()
	go n.pipe(d, c, pair)
	n.pipe(c, d, pair)
}

// readDialer reads a raft/tcp hello up to the dialer's id, and returns
// the id and the bytes read, to pass on.
func readDialer(c net.Conn) (int, []byte, error) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	got := make([]byte, 5, 16) // "RAFT" and the version
	if _, err := io.ReadFull(c, got); err != nil {
		return 0, nil, err
	}
	if string(got[:4]) != "RAFT" {
		return 0, nil, errors.New("not a raft hello")
	}
	for len(got) == 5 || got[len(got)-1] >= 0x80 { // the id's uvarint
		if len(got) == cap(got) {
			return 0, nil, errors.New("a malformed hello")
		}
		got = got[:len(got)+1]
		if _, err := io.ReadFull(c, got[len(got)-1:]); err != nil {
			return 0, nil, err
		}
	}
	id, _ := binary.Uvarint(got[5:])
	return int(id), got, nil
}

// waitWhileStalled holds a new connection's hello while its link stalls,
// as a silent network would, and returns the link's state after.
func (n *network) waitWhileStalled(pair [2]int) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for n.cuts[pair] == "stall" {
		n.cond.Wait()
	}
	return n.cuts[pair]
}

// pipe copies from src to dst, holding each chunk while the link stalls.
func (n *network) pipe(dst, src net.Conn, pair [2]int) {
	defer func() {
		dst.Close()
		src.Close()
		n.mu.Lock()
		delete(n.conns, dst)
		delete(n.conns, src)
		n.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			n.mu.Lock()
			for n.cuts[pair] == "stall" {
				n.cond.Wait()
			}
			reset := n.cuts[pair] == "reset"
			n.mu.Unlock()
			if reset {
				return
			}
			if _, err := dst.Write(buf[:k]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// set cuts the link between servers i and j ("reset" or "stall"), or
// heals it ("").
func (n *network) set(i, j int, cut string) {
	pair := [2]int{min(i, j), max(i, j)}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cuts[pair] = cut
	n.cond.Broadcast()
	if cut == "reset" {
		for c, p := range n.conns {
			if p == pair {
				c.Close()
			}
		}
	}
}

func (n *network) heal() {
	n.mu.Lock()
	clear(n.cuts)
	n.cond.Broadcast()
	n.mu.Unlock()
}

func (n *network) closeAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.conns {
		c.Close()
	}
}

// op is one client operation, for the checks.
type op struct {
	client, kind, name string // client: the session; kind: lock, unlock, read; name: the lock's client
	id                 string // session.seq, for a write
	call, ret          time.Duration
	out                string // the reply; "" if none came
}

type jepsenRun struct {
	t      *testing.T
	rng    *rand.Rand
	mu     sync.Mutex // guards rng for the nemesis and clients
	procs  []*proc
	net    *network
	start  time.Time
	http   *http.Client
	events []string // what the nemesis did, in order

	opsMu sync.Mutex
	ops   []op

	kills, restarts, cuts, changes atomic.Int64

	raftAddr []string // each server's Raft address, as the others know it: its proxy's
	s1Out    bool     // the nemesis last asked to remove s1 (which may or may not be done)
}

func jepsen(t *testing.T, n int, faultTime time.Duration) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RAFTLOCK_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("%d servers, %v of faults; reproduce the nemesis's choices with RAFTLOCK_SEED=%d", n, faultTime, seed)
	bin := raftlockBinary(t)
	r := &jepsenRun{t: t, rng: rand.New(rand.NewPCG(seed, uint64(n))), net: newNetwork(),
		http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}

	// Addresses: each server listens on its own port, behind its proxy,
	// whose address every server is given.
	dir := t.TempDir()
	raftAddr, listen := make([]string, n+1), make([]string, n+1)
	var peers []string
	for i := 1; i <= n; i++ {
		listen[i] = freePort(t)
		raftAddr[i] = r.net.proxy(t, i, listen[i]).Addr().String()
		peers = append(peers, fmt.Sprintf("%d=%s", i, raftAddr[i]))
	}
	for i := 1; i <= n; i++ {
		httpAddr := freePort(t)
		p := &proc{id: i, url: "http://" + httpAddr, logPath: filepath.Join(dir, fmt.Sprintf("s%d.log", i)),
			args: []string{"serve", "-id", strconv.Itoa(i), "-peers", strings.Join(peers, ","), "-listen", listen[i], "-http", httpAddr,
				"-data", filepath.Join(dir, fmt.Sprintf("s%d", i)), "-keep-history", "-snapshot-every", "40", "-timeout", "1s"}}
		r.procs = append(r.procs, p)
	}
	defer func() {
		for _, p := range r.procs {
			p.kill()
		}
		if t.Failed() {
			for _, p := range r.procs {
				t.Logf("s%d's log, last lines:\n%s", p.id, p.tail(30))
			}
			t.Logf("nemesis: %s", strings.Join(r.events, "; "))
		}
	}()
	r.raftAddr = raftAddr
	r.start = time.Now()
	for _, p := range r.procs {
		p.start(t, bin)
	}

	// Phase 1: clients and the nemesis, for faultTime.
	ctx, stop := context.WithTimeout(context.Background(), faultTime)
	var wg sync.WaitGroup
	for c := range n + 2 {
		wg.Add(1)
		go func() { defer wg.Done(); r.client(ctx, c) }()
	}
	r.nemesis(ctx)
	wg.Wait()
	stop()

	// Phase 2: the faults stop; every server must serve again.
	r.net.heal()
	for _, p := range r.procs {
		if !p.running() {
			p.start(t, bin)
			r.event("restart s%d", p.id)
		}
	}
	healed := time.Now()
	if r.changes.Load() > 0 { // a change that got no answer may or may not have been made
		r.addS1Back(20 * time.Second)
	}
	r.servesAgain(20 * time.Second)
	t.Logf("every server served a write and a read %v after the faults stopped", time.Since(healed).Round(time.Millisecond))
	r.check()
}

func (r *jepsenRun) event(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf("%.1fs ", time.Since(r.start).Seconds())+fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *jepsenRun) intN(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rng.IntN(n)
}

// nemesis injects a fault every few hundred milliseconds until ctx ends:
// it kills a server (the leader, half the time) and restarts one, keeping
// a majority of processes up most of the time; it cuts a link (reset or
// stall), cuts all of one server's links, or heals.
func (r *jepsenRun) nemesis(ctx context.Context) {
	n := len(r.procs)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(200+r.intN(600)) * time.Millisecond):
		}
		var down []*proc
		for _, p := range r.procs {
			if !p.running() {
				down = append(down, p)
			}
		}
		switch k := r.intN(11); {
		case k < 4 && len(down) < (n-1)/2+1: // at times a majority is down
			p := r.procs[r.intN(n)]
			if r.intN(2) == 0 {
				if l := r.leader(); l != 0 {
					p = r.procs[l-1]
				}
			}
			if p.running() {
				p.kill()
				r.kills.Add(1)
				r.event("kill s%d", p.id)
			}
		case k < 6 && len(down) > 0:
			p := down[r.intN(len(down))]
			p.start(r.t, binPath)
			r.restarts.Add(1)
			r.event("restart s%d", p.id)
		case k < 8:
			i, j := 1+r.intN(n), 1+r.intN(n)
			if i == j {
				continue
			}
			mode := []string{"reset", "stall"}[r.intN(2)]
			r.net.set(i, j, mode)
			r.cuts.Add(1)
			r.event("cut s%d-s%d (%s)", min(i, j), max(i, j), mode)
		case k < 9:
			i := 1 + r.intN(n)
			mode := []string{"reset", "stall"}[r.intN(2)]
			for j := 1; j <= n; j++ {
				if j != i {
					r.net.set(i, j, mode)
					r.cuts.Add(1)
				}
			}
			r.event("isolate s%d (%s)", i, mode)
		case k < 10:
			r.net.heal()
			r.event("heal all links")
		default:
			r.changeS1()
		}
	}
}

// changeS1 asks a running server other than s1 to remove s1, or to add it
// back: the change goes on in the cluster whatever the answer.
func (r *jepsenRun) changeS1() {
	p := r.procs[1+r.intN(len(r.procs)-1)]
	if !p.running() {
		return
	}
	path, form := "/members/remove", url.Values{"id": {"1"}}
	if r.s1Out {
		path, form = "/members/add", url.Values{"id": {"1"}, "addr": {r.raftAddr[1]}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	body, code, err := r.request(ctx, http.MethodPost, p.url+path, form)
	cancel()
	r.s1Out = !r.s1Out
	r.changes.Add(1)
	r.event("%s s1 at s%d: %d %s %v", strings.TrimPrefix(path, "/members/"), p.id, code, body, err)
}

// addS1Back adds s1 back once the faults stop, within bound, unless it
// is a member already.
func (r *jepsenRun) addS1Back(bound time.Duration) {
	deadline := time.Now().Add(bound)
	for i := 0; ; i++ {
		p := r.procs[1+i%(len(r.procs)-1)]
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		body, code, err := r.request(ctx, http.MethodPost, p.url+"/members/add", url.Values{"id": {"1"}, "addr": {r.raftAddr[1]}})
		cancel()
		if err == nil && (code == 200 || code == http.StatusConflict && strings.Contains(body, "already a member")) {
			r.event("add s1 back at s%d: %d %s", p.id, code, body)
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("s1 not added back within %v of the faults stopping: %d %s %v", bound, code, body, err)
		}
	}
}

// leader asks the servers who leads; 0 if none knows.
func (r *jepsenRun) leader() int {
	for _, p := range r.procs {
		if st, err := r.status(p, 300*time.Millisecond); err == nil && st.Role == "leader" {
			return int(st.ID)
		}
	}
	return 0
}

func (r *jepsenRun) status(p *proc, timeout time.Duration) (statusJSON, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var st statusJSON
	body, code, err := r.request(ctx, http.MethodGet, p.url+"/status", nil)
	if err == nil && code != 200 {
		err = fmt.Errorf("status %d: %s", code, body)
	}
	if err == nil {
		err = json.Unmarshal([]byte(body), &st)
	}
	return st, err
}

func (r *jepsenRun) request(ctx context.Context, method, u string, form url.Values) (string, int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), resp.StatusCode, err
}

// client c writes and reads at random servers until ctx ends. A write that
// gets no answer is sent again, the same request, to other servers, until
// one answers; if ctx ends first, its outcome stays unknown.
func (r *jepsenRun) client(ctx context.Context, c int) {
	session := uint64(c+1)<<32 | uint64(r.intN(1<<30))
	var seq uint64
	for ctx.Err() == nil {
		kind := []string{"lock", "unlock", "read"}[r.intN(3)]
		name := []string{"a", "b", "c"}[r.intN(3)]
		o := op{client: strconv.Itoa(c), kind: kind, name: name, call: time.Since(r.start)}
		if kind == "read" {
			p := r.procs[r.intN(len(r.procs))]
			rctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			body, code, err := r.request(rctx, http.MethodGet, p.url+"/read", nil)
			cancel()
			if err == nil && code == 200 {
				o.out, o.ret = body, time.Since(r.start)
				r.record(o)
			} // a read without an answer changed nothing: left out
			continue
		}
		seq++
		o.id = fmt.Sprintf("%d.%d", session, seq)
		form := url.Values{"client": {name}, "session": {strconv.FormatUint(session, 10)},
			"seq": {strconv.FormatUint(seq, 10)}, "lowest": {strconv.FormatUint(seq, 10)}}
		sent := false // whether a server may have received it
		for o.out == "" && ctx.Err() == nil {
			p := r.procs[r.intN(len(r.procs))]
			wctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			body, code, err := r.request(wctx, http.MethodPost, p.url+"/"+kind, form)
			cancel()
			switch {
			case err == nil && code == 200:
				o.out, o.ret = body, time.Since(r.start)
			case err == nil && code == 400:
				r.t.Errorf("client %d: %s %s at s%d: 400 %s", c, kind, o.id, p.id, body)
				return
			case errors.Is(err, syscall.ECONNREFUSED): // a dead server: it got nothing
				select { // pace the retries while servers are down
				case <-ctx.Done():
				case <-time.After(50 * time.Millisecond):
				}
			default:
				sent = true
			}
		}
		if o.out == "" && !sent {
			continue // no server received it: it cannot take effect
		}
		r.record(o) // with no reply, its outcome is unknown
	}
}

func (r *jepsenRun) record(o op) {
	r.opsMu.Lock()
	r.ops = append(r.ops, o)
	r.opsMu.Unlock()
}

// servesAgain requires every server to answer a write and a read within
// bound, with no faults.
func (r *jepsenRun) servesAgain(bound time.Duration) {
	deadline := time.Now().Add(bound)
	session := uint64(1<<40) | uint64(r.intN(1<<30))
	for _, p := range r.procs {
		for _, kind := range []string{"lock", "read"} {
			o := op{client: "final", kind: kind, name: "z", call: time.Since(r.start)}
			form := url.Values{"client": {"z"}, "session": {strconv.FormatUint(session, 10)},
				"seq": {strconv.Itoa(p.id)}, "lowest": {strconv.Itoa(p.id)}}
			if kind == "lock" {
				o.id = fmt.Sprintf("%d.%d", session, p.id)
			}
			for o.out == "" {
				if time.Now().After(deadline) {
					r.t.Fatalf("s%d did not answer a %s within %v of the faults stopping", p.id, kind, bound)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				method, path, f := http.MethodPost, "/lock", form
				if kind == "read" {
					method, path, f = http.MethodGet, "/read", nil
				}
				body, code, err := r.request(ctx, method, p.url+path, f)
				cancel()
				if err == nil && code == 200 {
					o.out, o.ret = body, time.Since(r.start)
				}
			}
			r.record(o)
		}
	}
}

// check compares the servers' histories with each other and with what
// the clients were told, and checks linearizability.
func (r *jepsenRun) check() {
	t := r.t
	// Wait until every server has applied everything committed.
	var hist [][]appliedOp
	deadline := time.Now().Add(20 * time.Second)
	for {
		var applied []uint64
		for _, p := range r.procs {
			st, err := r.status(p, 2*time.Second)
			if err != nil {
				applied = append(applied, 0)
				continue
			}
			applied = append(applied, st.Applied)
		}
		if slices.Min(applied) == slices.Max(applied) && applied[0] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("servers never caught up with each other: applied %v", applied)
		}
	}
	for _, p := range r.procs {
		body, code, err := r.request(context.Background(), http.MethodGet, p.url+"/history", nil)
		var ops []appliedOp
		if err == nil && code == 200 {
			err = json.Unmarshal([]byte(body), &ops)
		}
		if err != nil || code != 200 {
			t.Fatalf("s%d's history: %d %v", p.id, code, err)
		}
		hist = append(hist, ops)
	}

	issued := map[string]op{}
	acked, unknown, reads := 0, 0, 0
	for _, o := range r.ops {
		switch {
		case o.id != "":
			issued[o.id] = o
			if o.out != "" {
				acked++
			} else {
				unknown++
			}
		default:
			reads++
		}
	}
	for i, h := range hist {
		id := r.procs[i].id
		if !slices.Equal(h, hist[0]) {
			t.Errorf("s%d applied %d writes, s1 %d; they differ at %d", id, len(h), len(hist[0]), firstDiff(h, hist[0]))
		}
		seen := map[string]bool{}
		for _, a := range h {
			if seen[a.ID] {
				t.Errorf("s%d applied write %s twice", id, a.ID)
			}
			seen[a.ID] = true
			o, ok := issued[a.ID]
			switch {
			case !ok:
				t.Errorf("s%d applied write %s, which no client sent", id, a.ID)
			case a.Cmd != o.kind+" "+o.name:
				t.Errorf("s%d applied %s as %q; the client sent %s %s", id, a.ID, a.Cmd, o.kind, o.name)
			case o.out != "" && a.Reply != o.out:
				t.Errorf("s%d applied %s with reply %s; the client was told %s", id, a.ID, a.Reply, o.out)
			}
		}
		for wid, o := range issued {
			if o.out != "" && !seen[wid] {
				t.Errorf("s%d lost write %s (%s %s), acknowledged %s", id, wid, o.kind, o.name, o.out)
			}
		}
	}

	var history []sim.Op
	for _, o := range r.ops {
		h := sim.Op{Client: o.name, Op: o.kind, Call: uint64(o.call.Microseconds()) + 1, Outcome: o.out}
		if o.out != "" {
			h.Return = uint64(o.ret.Microseconds()) + 1
		} else {
			h.Outcome = "unknown"
		}
		history = append(history, h)
	}
	res := lincheck.Check(history, lincheck.Budget(history))
	t.Logf("%d operations checked: %d writes acknowledged, %d with unknown outcome, %d reads; "+
		"%d writes applied by each of %d servers; %d kills, %d restarts, %d links cut, %d membership changes of s1",
		len(r.ops), acked, unknown, reads, len(hist[0]), len(hist), r.kills.Load(), r.restarts.Load(), r.cuts.Load(), r.changes.Load())
	switch res {
	case porcupine.Ok:
	case porcupine.Unknown:
		t.Errorf("the linearizability check ran out of time (%v) on %d operations", lincheck.Budget(history), len(history))
	default:
		t.Errorf("the clients' history is not linearizable")
	}
	if acked < 20 {
		t.Errorf("only %d writes were acknowledged: the test tested little", acked)
	}
}

func firstDiff(a, b []appliedOp) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
