//go:build perf

package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceEvent is the part of a Chromium trace event the summary reads.
type traceEvent struct {
	Name string          `json:"name"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`  // µs
	Dur  float64         `json:"dur"` // µs, for "X"
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	Args json.RawMessage `json:"args"`
}

// traceFor records a Chromium trace of the page for d and returns its
// events.
func traceFor(t *testing.T, p *page, d time.Duration) []traceEvent {
	t.Helper()
	var (
		mu     sync.Mutex
		events []traceEvent
	)
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	done := make(chan struct{})
	complete := chromedp.Events(ctx, tracing.TracingComplete)
	go func() {
		for batch, err := range chromedp.Events(ctx, tracing.DataCollected) {
			if err != nil {
				return
			}
			mu.Lock()
			for _, v := range batch.Value {
				var ev traceEvent
				if json.Unmarshal(v, &ev) == nil {
					events = append(events, ev)
				}
			}
			mu.Unlock()
		}
	}()
	go func() {
		defer close(done)
		for range complete {
			return
		}
	}()
	_, err := chromedp.Call(p.ctx, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig: &tracing.TraceConfig{
			RecordMode: tracing.TraceConfigRecordModeRecordAsMuchAsPossible,
			IncludedCategories: []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel",
				"v8.execute", "blink", "cc", "viz", "gpu", "__metadata"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	p.do("trace", chromedp.Sleep(d))
	if _, err := chromedp.Call(p.ctx, tracing.End, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the trace did not complete")
	}
	// The last batch may still be on its way through the other goroutine.
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(events)
}

// selfTimes sums each event's own time (its duration less that of the
// events nested in it) by thread name and event name, in ms.
func selfTimes(events []traceEvent) map[string]map[string]float64 {
	names := map[[2]int]string{}
	for _, ev := range events {
		if ev.Ph == "M" && ev.Name == "thread_name" {
			var a struct {
				Name string `json:"name"`
			}
			json.Unmarshal(ev.Args, &a)
			names[[2]int{ev.Pid, ev.Tid}] = a.Name
		}
	}
	byThread := map[[2]int][]traceEvent{}
	for _, ev := range events {
		if ev.Ph == "X" && ev.Dur > 0 {
			k := [2]int{ev.Pid, ev.Tid}
			byThread[k] = append(byThread[k], ev)
		}
	}
	out := map[string]map[string]float64{}
	for k, evs := range byThread {
		slices.SortFunc(evs, func(a, b traceEvent) int {
			if c := cmp.Compare(a.Ts, b.Ts); c != 0 {
				return c
			}
			return cmp.Compare(b.Dur, a.Dur) // the outer one first
		})
		name := names[k]
		if name == "" {
			name = fmt.Sprintf("thread %d", k[1])
		}
		// Pool threads of one kind count together.
		name = strings.TrimRightFunc(name, func(r rune) bool { return r >= '0' && r <= '9' || r == '/' })
		m := out[name]
		if m == nil {
			m = map[string]float64{}
			out[name] = m
		}
		type open struct {
			ev    traceEvent
			child float64
		}
		var stack []open
		pop := func() {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			m[top.ev.Name] += (top.ev.Dur - top.child) / 1000
			if len(stack) > 0 {
				stack[len(stack)-1].child += top.ev.Dur
			}
		}
		for _, ev := range evs {
			for len(stack) > 0 && stack[len(stack)-1].ev.Ts+stack[len(stack)-1].ev.Dur <= ev.Ts {
				pop()
			}
			stack = append(stack, open{ev: ev})
		}
		for len(stack) > 0 {
			pop()
		}
	}
	return out
}

// TestPerfProfile: where the time goes with 9 peers under the busy load at
// 1x, from a Chromium trace: the own time of each kind of work, per
// thread, as a share of the wall time traced. RAFTPLAY_TRACE=file also
// writes the trace (open it in chrome://tracing or Perfetto).
func TestPerfProfile(t *testing.T) {
	d := 8 * time.Second
	if quick {
		d = time.Second
	}
	p := open(t, "?peers=9")
	p.do("busy clients", chromedp.Evaluate[chromedp.Void](busyLoad))
	p.set("[data-speed]", "6") // 1x
	p.click("[data-play]")
	p.do("warm up", chromedp.Sleep(2*time.Second))
	events := traceFor(t, p, d)
	jsProfile(t, p, d)
	p.pause()
	p.do("quiet", chromedp.Evaluate[chromedp.Void](`clearInterval(window.__load)`))
	if path := os.Getenv("RAFTPLAY_TRACE"); path != "" {
		b, _ := json.Marshal(map[string]any{"traceEvents": events})
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	frames := 0
	for _, ev := range events {
		if ev.Name == "DrawFrame" || ev.Name == "Graphics.Pipeline.DrawAndSwap" {
			frames++
		}
	}
	times := selfTimes(events)
	threads := slices.Collect(func(yield func(string) bool) {
		for k := range times {
			if !yield(k) {
				return
			}
		}
	})
	total := func(th string) (s float64) {
		for _, v := range times[th] {
			s += v
		}
		return s
	}
	slices.SortFunc(threads, func(a, b string) int { return cmp.Compare(total(b), total(a)) })
	wall := d.Seconds() * 1000
	t.Logf("%d trace events over %.0f ms, load average %s", len(events), wall, loadAverage())
	for _, th := range threads[:min(len(threads), 6)] {
		t.Logf("%s: busy %.0f%% of wall time: %s", th, 100*total(th)/wall, strings.Join(topShares(times[th], 14, wall), ", "))
	}
}

// jsProfile samples the page's JavaScript (and wasm) for d and logs the
// functions with the most time: their own, and with what they call.
func jsProfile(t *testing.T, p *page, d time.Duration) {
	t.Helper()
	if _, err := chromedp.Call(p.ctx, profiler.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(p.ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 200}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(p.ctx, profiler.Start, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	p.do("profile", chromedp.Sleep(d))
	res, err := chromedp.Call(p.ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	prof := res.Profile
	wall := (prof.EndTime - prof.StartTime) / 1000 // ms
	byID := map[int64]*profiler.ProfileNode{}
	for _, n := range prof.Nodes {
		byID[n.ID] = n
	}
	// Time per sample, from the deltas.
	hit := map[int64]float64{}
	for i, id := range prof.Samples {
		if i+1 < len(prof.TimeDeltas) {
			hit[id] += float64(prof.TimeDeltas[i+1]) / 1000
		}
	}
	name := func(n *profiler.ProfileNode) string {
		f := n.CallFrame
		fn := f.FunctionName
		if fn == "" {
			fn = "(anonymous)"
		}
		if f.URL == "" {
			return fn
		}
		return fmt.Sprintf("%s %s:%d", fn, f.URL[strings.LastIndex(f.URL, "/")+1:], f.LineNumber+1)
	}
	self := map[string]float64{}
	total := map[string]float64{}
	var walk func(id int64, on map[string]bool) float64
	walk = func(id int64, on map[string]bool) float64 {
		n := byID[id]
		k := name(n)
		sum := hit[id]
		self[k] += hit[id]
		fresh := !on[k]
		if fresh {
			on[k] = true
		}
		for _, c := range n.Children {
			sum += walk(c, on)
		}
		if fresh {
			delete(on, k)
			total[k] += sum
		}
		return sum
	}
	walk(prof.Nodes[0].ID, map[string]bool{})
	t.Logf("JavaScript and wasm over %.0f ms, own time:\n\t%s", wall, strings.Join(topShares(self, 25, wall), "\n\t"))
	t.Logf("with what they call:\n\t%s", strings.Join(topShares(total, 30, wall), "\n\t"))
}

// topShares names the n biggest of m, each as its share of wall.
func topShares(m map[string]float64, n int, wall float64) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(m[b], m[a]) })
	var parts []string
	for _, k := range keys[:min(len(keys), n)] {
		parts = append(parts, fmt.Sprintf("%s %.1f%%", k, 100*m[k]/wall))
	}
	return parts
}
