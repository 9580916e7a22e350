// Package raftlock measures the talk's lock as a service: three raftlock
// processes on loopback (raft/disk storage in temporary directories,
// raft/tcp between them), and 64 clients writing through the HTTP API.
package raftlock

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Clients is how many clients write at once.
const Clients = 64

// cluster is three raftlock servers.
type cluster struct {
	procs []*exec.Cmd
	urls  []string
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var (
	buildOnce sync.Once
	bin       string
	buildErr  error
)

// build builds raftlock once per run of the test binary.
func build(t testing.TB) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "raftlock-bench")
		if err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(dir, "raftlock")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/raftplay/raftplay/cmd/raftlock").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// start starts three raftlock servers and waits until every one answers
// and one leads: a leader needs only two, and clients go to all three.
func start(t testing.TB) *cluster {
	dir := t.TempDir()
	bin := build(t)
	// Every address is picked before any server starts: a server's dials
	// take ephemeral ports, and one could take an address picked later.
	var peers, https []string
	for i := 1; i <= 3; i++ {
		peers = append(peers, fmt.Sprintf("%d=%s", i, freeAddr(t)))
		https = append(https, freeAddr(t))
	}
	c := &cluster{}
	t.Cleanup(c.stop)
	var logs []string
	for i := 1; i <= 3; i++ {
		addr := https[i-1]
		logs = append(logs, filepath.Join(dir, fmt.Sprintf("s%d.log", i)))
		log, err := os.Create(logs[i-1])
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "serve", "-id", strconv.Itoa(i), "-peers", strings.Join(peers, ","),
			"-http", addr, "-data", filepath.Join(dir, fmt.Sprintf("s%d", i)))
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c.procs = append(c.procs, cmd)
		c.urls = append(c.urls, "http://"+addr)
	}
	for deadline := time.Now().Add(30 * time.Second); !c.allUp() || c.leader() == ""; {
		if time.Now().After(deadline) {
			var said strings.Builder
			for i, l := range logs {
				b, _ := os.ReadFile(l)
				fmt.Fprintf(&said, "\ns%d's log (its end):\n%s", i+1, b[max(0, len(b)-1500):])
			}
			t.Fatalf("not every server up with a leader after 30s%s", said.String())
		}
		time.Sleep(20 * time.Millisecond) // setup, not measured
	}
	return c
}

// allUp reports whether every server answers its status.
func (c *cluster) allUp() bool {
	for _, u := range c.urls {
		resp, err := http.Get(u + "/status")
		if err != nil {
			return false
		}
		resp.Body.Close()
	}
	return true
}

// leader returns the leading server's URL, or "".
func (c *cluster) leader() string {
	for _, u := range c.urls {
		resp, err := http.Get(u + "/status")
		if err != nil {
			continue
		}
		var st struct{ Role string }
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Role == "leader" {
			return u
		}
	}
	return ""
}

func (c *cluster) stop() {
	for _, p := range c.procs {
		p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range c.procs {
		p.Wait()
	}
}

// run sends n writes from Clients clients, each its next as soon as its
// last is answered, to a random server or to the leader, and returns the
// latency of each.
func (c *cluster) run(n int, toLeader bool) ([]time.Duration, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: Clients}, Timeout: 10 * time.Second}
	leader := c.leader()
	var next atomic.Int64
	lat := make([]time.Duration, n)
	errs := make([]error, Clients)
	var wg sync.WaitGroup
	for k := range Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(k), 1))
			session := strconv.Itoa(1000 + k)
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				u := c.urls[rng.IntN(len(c.urls))]
				if toLeader {
					u = leader
				}
				op := []string{"/lock", "/unlock"}[i%2]
				seq := strconv.FormatInt(i+1, 10)
				form := url.Values{"client": {"c" + strconv.Itoa(k)}, "session": {session}, "seq": {seq}, "lowest": {seq}}
				start := time.Now()
				resp, err := hc.PostForm(u+op, form)
				if err != nil {
					errs[k] = err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs[k] = fmt.Errorf("%s: %s %s", u, resp.Status, body)
					return
				}
				lat[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return lat, nil
}

// percentile returns the p-th percentile (0 to 100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

// TestRaftlock writes through three raftlock processes: every write is
// answered.
func TestRaftlock(t *testing.T) {
	c := start(t)
	if _, err := c.run(200, false); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkRaftlock: one op is one write (lock or unlock) answered through
// HTTP, from Clients clients at once, each sending to a random server (as
// the talk's clients do; followers forward to the leader) or to the
// leader. ops/s counts writes per second of wall time; p50-ms and p99-ms
// are the writes' latencies as the clients saw them.
func BenchmarkRaftlock(b *testing.B) {
	for _, target := range []string{"any", "leader"} {
		b.Run("clients="+strconv.Itoa(Clients)+"/to="+target, func(b *testing.B) {
			c := start(b)
			b.ResetTimer()
			start := time.Now()
			lat, err := c.run(b.N, target == "leader")
			if err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
			b.ReportMetric(float64(percentile(lat, 50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 99).Microseconds())/1000, "p99-ms")
		})
	}
}
