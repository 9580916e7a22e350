//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"testing"

	"github.com/raftplay/raftplay/wasm/api"
)

// fakePage puts a document with a #playground element carrying attrs on
// globalThis, and records the events dispatched on it.
func fakePage(t *testing.T, attrs map[string]string) *[]js.Value {
	var events []js.Value
	var funcs []js.Func
	fn := func(f func(args []js.Value) any) js.Func {
		jf := js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
		funcs = append(funcs, jf)
		return jf
	}
	obj := js.Global().Get("Object")
	el := obj.New()
	el.Set("hasAttribute", fn(func(a []js.Value) any { _, ok := attrs[a[0].String()]; return ok }))
	el.Set("getAttribute", fn(func(a []js.Value) any { return attrs[a[0].String()] }))
	doc := obj.New()
	doc.Set("getElementById", fn(func(a []js.Value) any {
		if a[0].String() == hostID {
			return el
		}
		return js.Null()
	}))
	doc.Set("dispatchEvent", fn(func(a []js.Value) any { events = append(events, a[0]); return true }))
	js.Global().Set("document", doc)
	t.Cleanup(func() {
		js.Global().Delete("document")
		for _, f := range funcs {
			f.Release()
		}
	})
	return &events
}

// The page's run comes from the host element's data-* attributes, and
// raftplay:ready tells the front-end what it got and what was ignored.
func TestReadyFromHostElement(t *testing.T) {
	events := fakePage(t, map[string]string{"data-peers": "5", "data-seed": "7", "data-scenario": "figure9", "data-wasm": "x.wasm"})
	p := findPage()
	if p.host == nil {
		t.Fatal("no host element found")
	}
	b := newBridge(api.Config{Goroutines: true})
	go b.worker.Run()
	b.start(p)
	if len(*events) != 1 {
		t.Fatalf("%d events dispatched, want raftplay:ready alone", len(*events))
	}
	e := (*events)[0]
	if e.Get("type").String() != eventReady {
		t.Fatalf("event %s", e.Get("type").String())
	}
	d := e.Get("detail")
	if d.Get("version").Int() != 1 || d.Get("status").Get("run").Int() != 1 ||
		d.Get("page").Get("peers").Int() != 5 || d.Get("page").Get("seed").Int() != 7 {
		t.Fatalf("detail %s", stringify(d))
	}
	if w := d.Get("warnings"); w.Length() != 1 || !strings.Contains(w.Index(0).String(), `data-scenario="figure9" ignored`) {
		t.Fatalf("warnings %s", stringify(w))
	}
	snap := await(b.call("snapshot", nil).(js.Value))
	if snap.Get("peers").Length() != 5 {
		t.Fatalf("the run has %d peers, the page asked for 5", snap.Get("peers").Length())
	}
}

// Long work tells the page how far it got, between its slices.
func TestProgressEvents(t *testing.T) {
	events := fakePage(t, nil)
	p := findPage()
	pace := newPacer()
	var b *bridge
	b = newBridge(api.Config{Goroutines: true, Yield: func(pr api.Progress) {
		p.dispatch(eventProgress, b.progress(pr))
		pace.yield()
	}})
	go b.worker.Run()
	await(b.call("create", []js.Value{js.ValueOf(map[string]any{"peers": 9})}).(js.Value))
	await(b.call("advance", []js.Value{js.ValueOf(5_000)}).(js.Value))
	if len(*events) == 0 {
		t.Fatal("no raftplay:progress during 5 s of 9 peers, paused every 128 events")
	}
	last := (*events)[len(*events)-1]
	d := last.Get("detail")
	if last.Get("type").String() != eventProgress || d.Get("call").String() != "advance" || d.Get("until").Int() != 5_000 || d.Get("time").Int() <= 0 {
		t.Fatalf("progress %s %s", last.Get("type").String(), stringify(d))
	}
}
