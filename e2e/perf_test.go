//go:build perf

package e2e

// Measurements, not assertions: `make browser-perf` prints them. They run
// in the same headless Chromium as the tests, against the same server.
// With RAFTPLAY_PERF_JSON set they also append them, one JSON object a
// line, to that file, for `make bench` (bench/cmd/benchreport); with
// RAFTPLAY_PERF_QUICK set every measurement is short (make bench-smoke:
// the numbers mean nothing).

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var quick = os.Getenv("RAFTPLAY_PERF_QUICK") != ""

// emit appends one measurement to RAFTPLAY_PERF_JSON, if set.
func emit(t *testing.T, v map[string]any) {
	t.Helper()
	path := os.Getenv("RAFTPLAY_PERF_JSON")
	if path == "" {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.Write(append(b, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// transfer is one response of a load, as the page's resource timing gives
// it: bytes on the wire (headers included), body as sent, body decoded.
type transfer struct {
	Name                       string
	Transfer, Encoded, Decoded float64
}

const readTransfers = `[performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")].map((e) =>
	({ Name: e.name, Transfer: e.transferSize, Encoded: e.encodedBodySize, Decoded: e.decodedBodySize }))`

// marks reads the page's own performance marks, in ms after navigation.
type marks struct{ Compiled, Ready, Drawn float64 }

const readMarks = `(() => {
	const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? -1;
	return { Compiled: at("raftplay:compiled"), Ready: at("raftplay:ready"), Drawn: at("raftplay:drawn") };
})()`

// TestPerfLoad: time from navigation to the cluster drawn with its
// controls wired, cold (a fresh browser context, empty cache) and warm.
func TestPerfLoad(t *testing.T) {
	n := 7
	if quick {
		n = 1
	}
	measure := func(ctx context.Context) marks {
		if err := chromedp.Do(ctx, chromedp.Navigate(baseURL), chromedp.WaitVisible(chromedp.CSS(`[data-state="ready"]`))); err != nil {
			t.Fatal(err)
		}
		m, err := chromedp.Run(ctx, chromedp.Evaluate[marks](readMarks))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var cold, warm []marks
	var first []transfer // what a first visit transfers: the first cold load
	for i := range n {
		ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		cold = append(cold, measure(ctx))
		if i == 0 {
			var err error
			if first, err = chromedp.Run(ctx, chromedp.Evaluate[[]transfer](readTransfers)); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
	}
	var sent, body float64
	for _, r := range first {
		sent, body = sent+r.Transfer, body+r.Encoded
	}
	t.Logf("first load: %d responses, %.0f bytes transferred (%.0f of bodies)", len(first), sent, body)
	emit(t, map[string]any{"test": "transfer", "responses": first})
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	measure(ctx) // fills the cache
	for range n {
		warm = append(warm, measure(ctx))
	}
	report := func(name string, ms []marks) {
		defer emit(t, map[string]any{"test": "load", "kind": name, "marks": ms})
		med := func(f func(marks) float64) float64 {
			v := make([]float64, len(ms))
			for i, m := range ms {
				v[i] = f(m)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		t.Logf("%s load, median of %d: wasm compiled %.0f ms, simulator ready %.0f ms, cluster drawn and controls wired %.0f ms",
			name, len(ms), med(func(m marks) float64 { return m.Compiled }), med(func(m marks) float64 { return m.Ready }), med(func(m marks) float64 { return m.Drawn }))
	}
	report("cold", cold)
	report("warm", warm)

	// A control answering: a real click on Pause, from the input event to
	// the button showing the new state.
	p := &page{t: t, ctx: ctx}
	lat := clickLatency(t, p)
	t.Logf("a click on Pause shown %.1f ms after the input event", lat)
	emit(t, map[string]any{"test": "click", "ms": lat})
}

// clickLatency clicks Pause with a real mouse event and measures, in the
// page, from the event's timestamp to the button's new state.
func clickLatency(t *testing.T, p *page) float64 {
	t.Helper()
	p.do("arm", chromedp.Evaluate[chromedp.Void](`window.__latency = new Promise((done) => {
		const b = document.querySelector("[data-play]");
		let down = 0;
		b.addEventListener("pointerdown", (e) => (down = e.timeStamp), { once: true });
		new MutationObserver((_, o) => { o.disconnect(); done(performance.now() - down); }).observe(b, { attributes: true, attributeFilter: ["aria-pressed"] });
	})`))
	p.click("[data-play]")
	return js[float64](p, `window.__latency`)
}

// busyLoad makes three clients send a request every 30 ms of wall time
// (about 33 a second) to rotating servers, through the API as a load
// generator would; the page draws what they cause.
const busyLoad = `(() => {
	const peers = document.querySelectorAll(".peer").length;
	let i = 0;
	window.__load = setInterval(() => {
		i++;
		const client = "c" + (i % 3), peer = 1 + (i % peers);
		if (i % 3 === 2) raftplay.read({ client, peer });
		else raftplay.write({ client, op: i % 3 ? "unlock" : "lock", peer });
	}, 30);
})()`

// frames is what frameStats measures.
type frames struct {
	FPS, P95, P99, Worst float64 // frames per second, frame times in ms
	Frames, Over20       int
	Long                 int     // long tasks
	LongMs               float64 // their total duration
	Messages             int     // messages drawn at the end
	TaskPct, CPUPct      float64 // main thread: in tasks, on a CPU, % of wall time
}

// frameStats measures for d: frames per second from requestAnimationFrame,
// the worst frames, long tasks, and the main thread's busy fraction from
// Chromium's own task accounting.
func frameStats(t *testing.T, p *page, d time.Duration) (string, frames) {
	t.Helper()
	// TaskDuration is the wall time the main thread spent in tasks,
	// ThreadTime the CPU time it got: on a loaded machine the first
	// includes waiting for a CPU.
	metrics := func() (task, cpu float64) {
		res, err := chromedp.Call(p.ctx, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Metrics {
			switch m.Name {
			case "TaskDuration":
				task = m.Value
			case "ThreadTime":
				cpu = m.Value
			}
		}
		return task, cpu
	}
	if _, err := chromedp.Call(p.ctx, performance.Enable, performance.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	p.do("start counting", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__frames = []; window.__long = [];
		let last = performance.now();
		// A generation of its own, so that a loop left from the last
		// measurement stops instead of counting its frames twice.
		const gen = (window.__counting = (window.__counting || 0) + 1);
		const f = (now) => { if (window.__counting !== gen) return; __frames.push(now - last); last = now; requestAnimationFrame(f); };
		requestAnimationFrame(f);
		if (window.__longObserver) window.__longObserver.disconnect();
		window.__longObserver = new PerformanceObserver((l) => __long.push(...l.getEntries().map((e) => e.duration)));
		window.__longObserver.observe({ type: "longtask" });
	})()`))
	task0, cpu0 := metrics()
	wall0 := time.Now()
	p.do("measure", chromedp.Sleep(d))
	task1, cpu1 := metrics()
	wall := time.Since(wall0)
	s := js[frames](p, `(() => {
		window.__counting++;
		const f = __frames.slice(1).sort((a, b) => a - b);
		return { Frames: f.length, Worst: f[f.length - 1], P95: f[Math.floor(f.length * 0.95)], P99: f[Math.floor(f.length * 0.99)], Over20: f.filter((x) => x > 20).length,
			Long: __long.length, LongMs: __long.reduce((a, b) => a + b, 0), Messages: document.querySelectorAll(".msg[data-id]").length };
	})()`)
	s.FPS, s.TaskPct, s.CPUPct = float64(s.Frames)/wall.Seconds(), 100*(task1-task0)/wall.Seconds(), 100*(cpu1-cpu0)/wall.Seconds()
	return fmt.Sprintf("%.1f fps (%d frames, p95 %.1f ms, p99 %.1f ms, worst %.1f ms, %d over 20 ms); main thread in tasks %.0f%% of wall time, on a CPU %.0f%%; %d long tasks (%.0f ms); %d messages drawn at the end; load average %s",
		s.FPS, s.Frames, s.P95, s.P99, s.Worst, s.Over20, s.TaskPct, s.CPUPct, s.Long, s.LongMs, s.Messages, loadAverage()), s
}

// loadAverage is the machine's 1-minute load average: the numbers above
// mean little when other work competes for the CPUs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// TestPerfRender: 9 peers under a busy client load, at 1x and 10x.
func TestPerfRender(t *testing.T) {
	measureFor := 10 * time.Second
	if quick {
		measureFor = time.Second
	}
	p := open(t, "?peers=9")
	p.do("busy clients", chromedp.Evaluate[chromedp.Void](busyLoad))
	for _, speed := range []struct {
		name  string
		index int
	}{{"1x", 6}, {"10x", 9}} {
		p.set("[data-speed]", fmt.Sprint(speed.index))
		if !p.playing() {
			p.click("[data-play]")
		}
		text, s := frameStats(t, p, measureFor)
		t.Logf("9 peers, busy clients, %s: %s", speed.name, text)
		emit(t, map[string]any{"test": "render", "speed": speed.name, "frames": s, "load": loadAverage()})
	}
	p.pause()
	p.do("quiet", chromedp.Evaluate[chromedp.Void](`clearInterval(window.__load)`))
	text, s := frameStats(t, p, measureFor/2)
	t.Logf("paused: %s", text)
	emit(t, map[string]any{"test": "render", "speed": "paused", "frames": s, "load": loadAverage()})

	// A search for a counterexample in the worker (issue 12): the page
	// paused, then playing at 1x, while the worker runs seed after seed.
	// commit-old-terms needs the most seeds, so the search outlasts both.
	p.click("[data-tab=checks]")
	p.set("[data-rule]", "commit-old-terms")
	p.click("[data-rule-search]")
	p.poll("the search to run", `document.querySelector("[data-search-text]").textContent.startsWith("Searching: ")`)
	for _, play := range []bool{false, true} {
		name := "paused, searching"
		if play {
			name = "1x, searching"
			p.set("[data-speed]", "6")
			p.click("[data-play]")
		}
		text, s := frameStats(t, p, measureFor/2)
		progress := js[string](p, `document.querySelector("[data-search-text]").textContent`)
		t.Logf("%s (%q at the end): %s", name, progress, text)
		if !strings.HasPrefix(progress, "Searching: ") {
			// It found its run: the window mixes searching with replaying it.
			t.Logf("the search ended during the measurement of %s", name)
			name += " (the search ended during it)"
		}
		emit(t, map[string]any{"test": "render", "speed": name, "frames": s, "load": loadAverage()})
	}
	if js[bool](p, `!document.querySelector("[data-search-cancel]").hidden`) {
		p.click("[data-search-cancel]")
	}
}

// TestPerfLongRun: an hour of simulated time with 9 peers and a busy
// client load (RAFTPLAY_LONG_EVERY_MS: one request every so many ms of
// simulated time, 250 by default: the load wasm/API.md gives its memory
// for), driven through the API a second at a time, ten minutes per call;
// then played in the page. Memory afterwards, after a garbage collection.
func TestPerfLongRun(t *testing.T) {
	every := 250
	if v, err := strconv.Atoi(os.Getenv("RAFTPLAY_LONG_EVERY_MS")); err == nil && v > 0 {
		every = v
	}
	p := open(t, "?peers=9")
	heap0, err := chromedp.Call(p.ctx, runtime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	wasm0 := wasmMemory(t, p)
	start := time.Now()
	for chunk := range 6 {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Minute)
		simulated, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(async () => {
			const api = globalThis.raftplay, every = %d;
			const from = (await api.status()).time;
			for (let t = from; t < from + 600000; t += 1000) {
				for (let i = Math.ceil(t / every); i * every < t + 1000; i++) {
					const peer = 1 + (i %% 9), client = "c" + (i %% 7);
					await (i %% 3 === 2 ? api.read({ client, peer }) : api.write({ client, op: i %% 2 ? "unlock" : "lock", peer }));
				}
				const r = await api.advance(1000);
				if (r.error) throw new Error(r.error);
			}
			return (await api.status()).time;
		})()`, every), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk+1, err)
		}
		t.Logf("simulated %.0f ms (a request every %d ms), %s of wall time so far", simulated, every, time.Since(start).Round(time.Second))
	}
	p.click("[data-play]")
	p.do("play", chromedp.Sleep(5*time.Second))
	p.pause()
	p.do("collect garbage", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, heapprofiler.CollectGarbage, cdp.Empty{})
		return err
	}))
	h, err := chromedp.Call(p.ctx, runtime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	mb := func(b float64) string { return fmt.Sprintf("%.1f MB", b/1e6) }
	t.Logf("JS heap used %s at the start, %s after the hour (allocated %s); wasm linear memory %s at the start, %s after",
		mb(heap0.UsedSize), mb(h.UsedSize), mb(h.TotalSize), mb(wasm0), mb(wasmMemory(t, p)))
}

// wasmMemory sums the sizes of the page's WebAssembly memories, found the
// way DevTools finds objects: every object whose prototype is
// WebAssembly.Memory.prototype (the page keeps no reference of its own).
func wasmMemory(t *testing.T, p *page) float64 {
	t.Helper()
	proto := js[*runtime.RemoteObject](p, `WebAssembly.Memory.prototype`)
	found, err := chromedp.Call(p.ctx, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: proto.ObjectID})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := chromedp.Call(p.ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: `function () { return this.reduce((n, m) => n + m.buffer.byteLength, 0); }`,
		ObjectID:            found.Objects.ObjectID,
		ReturnByValue:       new(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	if err := json.Unmarshal(sum.Result.Value, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
