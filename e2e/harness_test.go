// Package e2e holds the browser end-to-end tests: Debian's headless
// Chromium, driven by chromedp, does what a student does on the playground
// served by the real handler (package server, with the embedded site that
// `make run` serves). It is a module of its own, so that `go test ./...`
// in the repository neither needs a browser nor pulls chromedp in;
// `make browser-test` builds the site, installs Chromium when it is
// missing, and runs these tests, which fail (never skip) without it.
//
// The tests never sleep to wait: they poll the page for a condition, they
// open it paused at time 0 (paused=1), and they move simulated time only
// through the page's own "+100 ms" and "Step" buttons, so a run is the
// same however fast the machine is. Screenshots go to test-artifacts/screenshots/.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/embedded"
)

var (
	chromium = flag.String("chromium", envOr("CHROMIUM", "/usr/bin/chromium"), "the Chromium to drive")
	siteDir  = flag.String("site", os.Getenv("RAFTPLAY_SITE"), "serve this built site instead of the embedded one")
	distDir  = flag.String("dist", envOr("RAFTPLAY_DIST", "../dist"), "the static site `make dist` writes")
	pageURL  = flag.String("url", os.Getenv("RAFTPLAY_URL"), "test the playground served at this URL instead of serving it here")
	shotDir  = flag.String("shots", envOr("RAFTPLAY_SHOTS", "../test-artifacts/screenshots"), "where screenshots go")
)

var (
	baseURL string          // the page, served by the real handler
	browser context.Context // one browser; each test opens its own tab
)

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	baseURL = *pageURL
	if baseURL == "" {
		var site fs.FS = embedded.Site()
		if *siteDir != "" {
			site = os.DirFS(*siteDir)
		}
		h, err := server.New(site, server.Options{})
		if err != nil {
			return 0, fmt.Errorf("%w (build the site first: make site)", err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		baseURL = srv.URL + "/"
	}

	if _, err := os.Stat(*chromium); err != nil {
		return 0, fmt.Errorf("no Chromium at %s (make browser-test installs it): %w", *chromium, err)
	}
	if err := os.MkdirAll(*shotDir, 0o755); err != nil {
		return 0, err
	}
	profile, err := os.MkdirTemp("", "raftplay-e2e-profile-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(*chromium),
		chromedp.NoSandbox, // required as root, harmless otherwise
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1440, 1000),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		return 0, fmt.Errorf("starting %s: %w", *chromium, err)
	}
	browser = ctx
	return m.Run(), nil
}

// page is one tab on the playground.
type page struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // console errors and uncaught exceptions
}

// open loads the playground (with an optional query such as "?peers=5")
// in a new tab, paused at time 0, and waits until it is ready.
func open(t *testing.T, query string) *page {
	t.Helper()
	return openURL(t, baseURL+query)
}

// openAt is open in a window of w x h CSS pixels.
func openAt(t *testing.T, query string, w, h int64) *page {
	t.Helper()
	return openURL(t, baseURL+query, chromedp.EmulateViewport(w, h))
}

// openURL is open for a page served elsewhere, such as dist/ under a
// sub-path; before runs in the tab before the page loads.
func openURL(t *testing.T, url string, before ...chromedp.Action[chromedp.Void]) *page {
	t.Helper()
	return openWithin(t, url, 30*time.Second, before...)
}

// openWithin is openURL for a page that may take up to d to be ready (a
// shared run that takes long to replay).
func openWithin(t *testing.T, url string, d time.Duration, before ...chromedp.Action[chromedp.Void]) *page {
	t.Helper()
	url = stillAtFirst(url)
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil { // opens the tab
		t.Fatal(err)
	}
	p := &page{t: t, ctx: tab}
	console := chromedp.Console(tab)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.problems = append(p.problems, m.String())
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(p.checkConsole)
	p.doWithin(d, "load the page", append(before, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`[data-state="ready"]`)))...)
	p.pause() // for an address that asked to play
	// Time starts at 0: a first frame stamped before Play must not run it back.
	if clock := js[string](p, `document.querySelector("[data-clock]").textContent`); strings.Contains(clock, "-") {
		t.Errorf("the clock shows %q", clock)
	}
	return p
}

// stillAtFirst asks the page not to start playing (paused=1), unless the
// address says itself whether to: a page that played until the test could
// pause it would start each test at an instant set by the machine's speed,
// and a test's run would differ from one try to the next.
func stillAtFirst(url string) string {
	base, fragment, hasFragment := strings.Cut(url, "#")
	path, query, _ := strings.Cut(base, "?")
	for _, kv := range strings.Split(query, "&") {
		if strings.HasPrefix(kv, "paused=") {
			return url
		}
	}
	if query != "" {
		query += "&"
	}
	url = path + "?" + query + "paused=1"
	if hasFragment {
		url += "#" + fragment
	}
	return url
}

// checkConsole fails the test if the page logged an error.
func (p *page) checkConsole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.problems {
		p.t.Errorf("console: %s", m)
	}
}

// within gives one step of a test its own deadline, leaving the tab open.
func (p *page) within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, d)
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.doWithin(30*time.Second, what, steps...)
}

func (p *page) doWithin(d time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.within(d)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// js evaluates expr in the page (awaiting a promise) and decodes the result.
func js[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := p.within(30 * time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// set gives the control at sel a value as a user's edit does: then input
// and change events.
func (p *page) set(sel, value string) {
	p.t.Helper()
	p.do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q);
			el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true })); })()`, sel)))
}

// click clicks sel with the mouse, as a student does, once the page has
// drawn two frames: what a ResizeObserver or an animation frame lays out
// again has settled, so the click lands where the element now is.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Evaluate[chromedp.Void](settled, chromedp.EvalAwaitPromise), chromedp.Click(chromedp.CSS(sel)))
}

// settled resolves after the page has drawn two more frames.
const settled = `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))`

func (p *page) playing() bool {
	return js[bool](p, `document.querySelector("[data-play]").getAttribute("aria-pressed") === "true"`)
}

func (p *page) pause() {
	p.t.Helper()
	if p.playing() {
		p.click("[data-play]")
	}
	if p.playing() {
		p.t.Fatal("the page still plays after clicking Pause")
	}
}

// clock reads the simulated time the page shows, in ms.
func (p *page) clock() int {
	return js[int](p, `Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, ""))`)
}

// until runs simulated time forward, 100 ms at a time through the page's
// "+100 ms" button, until cond (a JavaScript expression) holds; it fails
// the test after maxMs of simulated time.
func (p *page) until(what, cond string, maxMs int) {
	p.t.Helper()
	for spent := 0; ; spent += 100 {
		if js[bool](p, cond) {
			return
		}
		if spent >= maxMs {
			p.shot("failed-" + p.t.Name())
			p.t.Fatalf("after %d ms of simulated time: %s", spent, what)
		}
		before := p.clock()
		p.click("[data-skip]")
		// The click's work is asynchronous: wait for the clock to move.
		p.poll("the clock to advance", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) > %d`, before))
	}
}

// stepUntil presses "Step" (run to the next event) until cond holds, for
// moments too short to catch 100 ms at a time; it fails after max steps.
func (p *page) stepUntil(what, cond string, max int) {
	p.t.Helper()
	for i := 0; !js[bool](p, cond); i++ {
		if i == max {
			p.shot("failed-" + p.t.Name())
			p.t.Fatalf("after %d steps: %s", max, what)
		}
		before := js[string](p, `document.getElementById("playground").dataset.seq`)
		p.click("[data-step]")
		p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
	}
}

// poll waits (in wall time, briefly) for the page to reach cond after an
// action it has already been given.
func (p *page) poll(what, cond string) {
	p.t.Helper()
	p.pollOr(what, cond, "")
}

// pollOr is poll that, when cond never holds, also says what the
// expression why gives (a trail the page kept, say), if there is one.
func (p *page) pollOr(what, cond, why string) {
	p.t.Helper()
	ctx, cancel := p.within(10 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(5*time.Millisecond))); err != nil {
		p.shot("failed-" + p.t.Name())
		if why == "" {
			p.t.Fatalf("waiting for %s: %v", what, err)
		}
		p.t.Fatalf("waiting for %s: %v; the page saw:\n%s", what, err, js[string](p, why))
	}
}

// shot saves a full-page screenshot as name.png.
func (p *page) shot(name string) {
	p.t.Helper()
	ctx, cancel := p.within(30 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__scrolled = [...document.querySelectorAll("*")].filter((el) => el.scrollTop > 0).map((el) => [el, el.scrollTop])`)); err != nil {
		p.t.Errorf("before screenshot %s: %v", name, err)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(*shotDir, strings.NewReplacer("/", "-", " ", "-").Replace(name)+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
	}
	// The capture lays the page out at another size for a moment, within
	// one frame: a box that scrolls may come back scrolled less (the
	// diagram's, which is taller in the stacked layout). Put back what the
	// test saw.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`for (const [el, top] of window.__scrolled || []) el.scrollTop = top`)); err != nil {
		p.t.Errorf("after screenshot %s: %v", name, err)
	}
}

// leader returns the peer drawn as leader with the highest term, and that
// term (0, 0 when there is none). A cut-off old leader can still think it
// leads its old term, so the highest term is the cluster's leader.
func (p *page) leader() (id, term int) {
	v := js[[]int](p, `(() => {
		let best = [0, 0];
		for (const g of document.querySelectorAll(".peer.leader")) {
			const t = Number(g.dataset.term);
			if (t > best[1]) best = [Number(g.dataset.peer), t];
		}
		return best;
	})()`)
	return v[0], v[1]
}

// request sends op (lock, unlock, read) as client to peer through the
// client panel and returns the request's number.
func (p *page) request(client string, peer int, op string) string {
	p.t.Helper()
	before := js[int](p, `document.querySelectorAll("li.request").length`)
	p.do("fill the client form",
		chromedp.SetValue(chromedp.CSS("[data-client-name]"), client),
		chromedp.SetValue(chromedp.CSS("[data-client-peer]"), fmt.Sprint(peer)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-client-form] button[data-op=%q]`, op))),
	)
	p.poll("the request to be listed", fmt.Sprintf(`document.querySelectorAll("li.request").length > %d`, before))
	return js[string](p, `document.querySelector("li.request").dataset.req`)
}

// outcome runs time until request req has its reply and returns it.
func (p *page) outcome(req string, maxMs int) string {
	p.t.Helper()
	sel := fmt.Sprintf(`li.request[data-req=%q]`, req)
	p.until("request "+req+" to be answered", fmt.Sprintf(`document.querySelector(%q).dataset.outcome !== "pending"`, sel), maxMs)
	return js[string](p, fmt.Sprintf(`document.querySelector(%q).dataset.outcome`, sel))
}
