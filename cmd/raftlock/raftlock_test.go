package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/disk"
	"github.com/raftplay/raftplay/raft/wallclock"
)

func TestParseServeRefusesBadFlags(t *testing.T) {
	ok := []string{"-id", "1", "-peers", "1=127.0.0.1:7001,2=127.0.0.1:7002", "-data", "d"}
	if _, err := parseServe(ok, io.Discard); err != nil {
		t.Fatalf("good flags: %v", err)
	}
	for _, args := range [][]string{
		{"-id", "1", "-data", "d"},
		{"-id", "3", "-peers", "1=127.0.0.1:7001,2=127.0.0.1:7002", "-data", "d"},
		{"-id", "1", "-peers", "1=127.0.0.1:7001,1=127.0.0.1:7002", "-data", "d"},
		{"-id", "1", "-peers", "1=127.0.0.1", "-data", "d"},
		{"-id", "1", "-peers", "0=127.0.0.1:7001", "-data", "d"},
		{"-id", "1", "-peers", "x=127.0.0.1:7001", "-data", "d"},
		{"-id", "1", "-peers", "1=127.0.0.1:7001"},
		append(append([]string{}, ok...), "-tls-cert", "c.pem"),
		append(append([]string{}, ok...), "-timeout", "0s"),
		append(append([]string{}, ok...), "extra"),
	} {
		if _, err := parseServe(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestMachineKeepsHistoryThroughSnapshots(t *testing.T) {
	m := machine{history: true}
	s := m.Init()
	var reply []byte
	for _, c := range []string{"7.1 lock alice", "8.1 lock bob", "7.2 unlock alice", "junk"} {
		reply, s = m.Write([]byte(c), s)
	}
	if string(reply) != "error" || s.Lock.Locked || len(s.Ops) != 3 || s.Ops[1] != (appliedOp{"8.1", "lock bob", "error"}) {
		t.Fatalf("state %+v after the writes", s)
	}
	again, err := m.DecodeState(m.EncodeState(s))
	if err != nil || !bytes.Equal(m.EncodeState(again), m.EncodeState(s)) {
		t.Fatalf("snapshot round trip: %+v, %v", again, err)
	}
	if _, err := m.DecodeState([]byte(`{"lock":{"Locked":true}}`)); err == nil {
		t.Fatal("a lock held by nobody was decoded")
	}
	if got := string(m.Read(nil, s)); got != "unlocked" {
		t.Fatalf("read = %q", got)
	}
}

// apiCluster is three raftlock servers in memory, each with its HTTP API.
func apiCluster(t *testing.T) []*httptest.Server {
	net := raft.NewNetwork()
	var urls []*httptest.Server
	for id := raft.ID(1); id <= 3; id++ {
		st := raft.NewMemoryStorage()
		raft.Bootstrap(st, []raft.ID{1, 2, 3})
		p, err := raft.StartPeer(machine{history: true}, raft.PeerConfig{
			Config: raft.DefaultConfig(id), Storage: st, Transport: net, Clock: wallclock.New(time.Millisecond),
		})
		if err != nil {
			t.Fatal(err)
		}
		s := &server{cfg: &serveConfig{id: id, timeout: 10 * time.Second, history: true}, peer: p}
		hs := httptest.NewServer(s.handler())
		t.Cleanup(func() { hs.Close(); p.Stop() })
		urls = append(urls, hs)
	}
	return urls
}

func post(t *testing.T, base, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func write(client, session, seq string) url.Values {
	return url.Values{"client": {client}, "session": {session}, "seq": {seq}}
}

// The HTTP API: writes at any server, the talk's replies, a write sent
// twice applied once, reads, status, history, and bad requests refused.
func TestHTTPAPI(t *testing.T) {
	srv := apiCluster(t)
	for _, step := range []struct {
		at          int
		path        string
		form        url.Values
		code        int
		want        string
		description string
	}{
		{0, "/lock", write("s1", "11", "1"), 200, "ok", "lock at s1"},
		{1, "/lock", write("s2", "12", "1"), 200, "error", "lock at s2: held"},
		{1, "/unlock", url.Values{"client": {"s2"}, "session": {"12"}, "seq": {"2"}, "lowest": {"1"}}, 200, "error", "unlock by a non-holder"},
		{2, "/lock", write("s2", "12", "1"), 200, "error", "the first write again, at s3: its first reply"},
		{0, "/unlock", write("s1", "11", "2"), 200, "ok", "unlock by the holder"},
		{1, "/lock", write("s2", "12", "3"), 200, "ok", "lock at s2"},
		{0, "/lock", write("", "1", "1"), 400, "", "no client"},
		{0, "/lock", write("a b", "1", "1"), 400, "", "a client with a space"},
		{0, "/lock", write("a", "0", "1"), 400, "", "session 0"},
		{0, "/lock", write("a", "1", "x"), 400, "", "seq not a number"},
		{0, "/lock", url.Values{"client": {"a"}, "session": {"1"}, "seq": {"2"}, "lowest": {"3"}}, 400, "", "lowest above seq"},
	} {
		code, body := post(t, srv[step.at].URL, step.path, step.form)
		if code != step.code || step.want != "" && body != step.want {
			t.Fatalf("%s: %d %q; want %d %q", step.description, code, body, step.code, step.want)
		}
	}
	if code, body := get(t, srv[2].URL+"/read"); code != 200 || body != "locked by s2" {
		t.Fatalf("read at s3: %d %q", code, body)
	}
	code, body := get(t, srv[1].URL+"/status")
	var st statusJSON
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil || st.ID != 2 || len(st.Members) != 3 || st.Leader == raft.None {
		t.Fatalf("status: %d %s (%v)", code, body, err)
	}
	// Every server applies the same writes, each once (the repeated one
	// too), once it has caught up.
	var want []appliedOp
	for i, s := range srv {
		var ops []appliedOp
		for k := 0; ; k++ { // the leader's commit reaches followers with its next heartbeat
			if k == 100000 {
				t.Fatalf("s%d never applied the 5 writes", i+1)
			}
			_, body := get(t, s.URL+"/history")
			ops = nil
			json.Unmarshal([]byte(body), &ops)
			if len(ops) >= 5 {
				break
			}
		}
		if i == 0 {
			want = ops
		}
		ids := map[string]bool{}
		for _, op := range ops {
			if ids[op.ID] {
				t.Fatalf("s%d applied %s twice: %+v", i+1, op.ID, ops)
			}
			ids[op.ID] = true
		}
		if len(ops) != 5 || !equalOps(ops, want) {
			t.Fatalf("s%d history %+v; s1 has %+v", i+1, ops, want)
		}
	}
}

func equalOps(a, b []appliedOp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The client tries the next server when one gives no answer (refused
// connection, 503), with the same identity each time, and stops at a 400.
func TestClientRetriesWithTheSameIdentity(t *testing.T) {
	var mu sync.Mutex
	var seen []string // session.seq of each attempt
	record := func(r *http.Request) {
		mu.Lock()
		seen = append(seen, r.FormValue("session")+"."+r.FormValue("seq"))
		mu.Unlock()
	}
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Error(w, "no answer in time", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	answers := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		io.WriteString(w, "ok\n")
	}))
	defer answers.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // a server that is down: connection refused

	var out, errs bytes.Buffer
	code := run([]string{"lock", "-client", "alice", "-server", dead.URL + "," + busy.URL + "," + answers.URL}, &out, &errs)
	if code != 0 || out.String() != "ok\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errs.String())
	}
	if len(seen) != 2 || seen[0] != seen[1] || strings.HasPrefix(seen[0], ".") {
		t.Fatalf("attempts %q: want two with one identity", seen)
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Error(w, "lowest above seq", http.StatusBadRequest)
	}))
	defer bad.Close()
	seen = nil
	out.Reset()
	errs.Reset()
	if code := run([]string{"unlock", "-client", "alice", "-server", bad.URL + "," + answers.URL}, &out, &errs); code != 2 || len(seen) != 1 {
		t.Fatalf("a 400: exit %d after %d attempts (stderr %q); want 2 after 1", code, len(seen), errs.String())
	}
}

func TestClientGivesUpAtItsTimeout(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no answer in time", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	var out, errs bytes.Buffer
	code := run([]string{"lock", "-client", "a", "-server", busy.URL, "-timeout", "300ms"}, &out, &errs)
	if code != 1 || out.Len() != 0 || !strings.Contains(errs.String(), "may or may not be applied") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errs.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"lock"}, {"lock", "-client", "a", "-server", "ftp://x"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 || errs.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errs.String())
		}
	}
}

// A first start that fails on a flag (an HTTP address in use, missing
// certificates) leaves the data directory unbootstrapped: started again
// with corrected flags, -peers included, the server takes its members
// from those, not from the failed attempt.
func TestFailedFirstStartBootstrapsNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	base := serveConfig{id: 1, peers: map[raft.ID]string{1: "127.0.0.1:0", 2: "127.0.0.1:1"}, data: dir, timeout: time.Second}
	bad := map[string]func(c *serveConfig){
		"HTTP address in use": func(c *serveConfig) { c.httpAddr = busy.Addr().String() },
		"missing certificate": func(c *serveConfig) {
			c.httpAddr, c.tlsCert, c.tlsKey, c.tlsCA = "127.0.0.1:0", dir+"/none.pem", dir+"/none-key.pem", dir+"/ca.pem"
		},
	}
	for name, edit := range bad {
		c := base
		edit(&c)
		if s, err := start(&c, log.New(io.Discard, "", 0)); err == nil {
			s.close()
			t.Fatalf("%s: started", name)
		}
		store, err := disk.Open(dir, disk.Options{})
		if err != nil {
			t.Fatalf("%s: the directory after it: %v", name, err)
		}
		st, err := store.Load()
		store.Close()
		if err != nil || st.State.Term != 0 || len(st.Entries) != 0 || st.Snapshot.Index != 0 {
			t.Fatalf("%s: the directory holds %+v (%v) after a start that failed; want nothing", name, st, err)
		}
	}
}
