//go:build js && wasm

package main

import (
	"math"
	"strconv"
	"syscall/js"
	"time"
	"unsafe"

	"github.com/raftplay/raftplay/raft/sim/jsonio"
	"github.com/raftplay/raftplay/wasm/api"
)

// bridge is the API object of API.md: a js.Func per call that turns its
// arguments into JSON text, queues the call on the worker and answers with
// a Promise. Callbacks never wait: the worker's goroutine does the work.
type bridge struct {
	worker   *api.Worker
	obj      js.Value
	funcs    []js.Func
	executor js.Func // captures a new Promise's resolve function
	resolve  js.Value

	json, promise, object js.Value
}

// sliceBudget is the wall time long work runs before giving the page a
// turn: half a frame at 60 fps.
const sliceBudget = 8 * time.Millisecond

// install creates the worker and puts the API object on globalThis.
func install(p *page) *bridge {
	pace := newPacer()
	var b *bridge
	b = newBridge(api.Config{
		Goroutines: true,
		Check:      true,
		Budget:     sliceBudget,
		Yield: func(pr api.Progress) {
			p.dispatch(eventProgress, b.progress(pr))
			pace.yield()
		},
	})
	b.expose()
	go b.worker.Run()
	return b
}

func newBridge(c api.Config) *bridge {
	b := &bridge{
		worker:  api.NewWorker(c),
		json:    js.Global().Get("JSON"),
		promise: js.Global().Get("Promise"),
		object:  js.Global().Get("Object"),
	}
	b.executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		b.resolve = args[0]
		return nil
	})
	return b
}

// expose builds globalThis.raftplay from the worker's calls.
func (b *bridge) expose() {
	b.obj = b.object.New()
	b.obj.Set("version", api.Version)
	b.obj.Set("scenarios", b.parse(api.ScenariosJSON()))
	b.obj.Set("limits", b.parse(api.LimitsJSON()))
	b.obj.Set("properties", b.parse(api.PropertiesJSON()))
	b.obj.Set("rules", b.parse(api.RulesJSON()))
	for _, name := range b.worker.Names() {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any { return b.call(name, args) })
		b.funcs = append(b.funcs, fn)
		b.obj.Set(name, fn)
	}
	js.Global().Set("raftplay", b.obj)
}

// release removes the API object and frees its callbacks.
func (b *bridge) release() {
	js.Global().Delete("raftplay")
	for _, fn := range b.funcs {
		fn.Release()
	}
	b.executor.Release()
	b.funcs = nil
}

// call is one method call from the page. It returns a Promise that always
// resolves: to the answer, or to an error object, even if Go panics here.
func (b *bridge) call(name string, args []js.Value) (promise any) {
	var resolve js.Value
	defer func() {
		if p := recover(); p != nil {
			e := &api.Error{Code: api.CodeInternal, Msg: "internal error in " + name + ": " + api.PanicText(p)}
			if resolve.Truthy() {
				resolve.Invoke(b.parse(api.ErrorJSON(nil, e)))
			} else {
				promise = b.promise.Call("resolve", b.parse(api.ErrorJSON(nil, e)))
			}
		}
	}()
	texts, err := b.texts(args)
	p, resolve := b.newPromise()
	if err != nil {
		resolve.Invoke(b.parse(api.ErrorJSON(nil, err)))
		return p
	}
	b.worker.Submit(name, texts, func(answer []byte) { resolve.Invoke(b.parse(answer)) })
	return p
}

// texts turns arguments into JSON text with JSON.stringify: one crossing
// per argument, and one parser (api.Parse) for everything from outside.
func (b *bridge) texts(args []js.Value) ([][]byte, *api.Error) {
	texts := make([][]byte, len(args))
	for i, a := range args {
		if a.IsUndefined() || a.IsNull() {
			continue
		}
		// JSON.stringify writes NaN and Infinity as null, which would read
		// as an argument left out: they cross as JavaScript spells them
		// (Worker.Submit reads these). Inside an object they stay null,
		// which the decoders refuse, naming NaN and Infinity too.
		// (Compared in Go, without a crossing: Type would panic on a BigInt.)
		switch {
		case a.IsNaN():
			texts[i] = []byte(jsonio.FormatNum(math.NaN()))
			continue
		case a.Equal(infinity), a.Equal(minusInfinity):
			texts[i] = []byte(jsonio.FormatNum(a.Float()))
			continue
		}
		s, err := b.stringify(a)
		if err != "" {
			return nil, &api.Error{Code: api.CodeBadArgument, Msg: "argument " + itoa(i+1) + " is not data: " + err}
		}
		if s.Type() != js.TypeString { // functions, symbols
			return nil, &api.Error{Code: api.CodeBadArgument, Msg: "argument " + itoa(i+1) + " is a " + a.Type().String() + ", not data"}
		}
		// Length only takes objects (it panics, naming SetIndex, on a
		// string): box the string, which copies nothing.
		if n := b.object.New(s).Get("length").Int(); n > api.MaxInput {
			return nil, &api.Error{Code: api.CodeTooLarge, Msg: "argument " + itoa(i+1) + " is " + itoa(n) + " characters of JSON; the limit is " + itoa(api.MaxInput)}
		}
		texts[i] = []byte(s.String())
	}
	return texts, nil
}

// stringify is JSON.stringify, which throws on cycles and BigInts.
func (b *bridge) stringify(v js.Value) (s js.Value, err string) {
	defer func() {
		if p := recover(); p != nil {
			err = api.PanicText(p)
		}
	}()
	return b.json.Call("stringify", v), ""
}

// newPromise returns a pending Promise and its resolve function.
func (b *bridge) newPromise() (js.Value, js.Value) {
	p := b.promise.New(b.executor) // the executor runs now, inside New
	r := b.resolve
	b.resolve = js.Undefined()
	return p, r
}

// parse turns an answer (JSON bytes) into a JavaScript value. A string
// crosses as bytes copied into JavaScript and decoded there; JSON.parse
// then builds the objects in one call (bench_test.go measures the
// alternatives).
func (b *bridge) parse(answer []byte) js.Value {
	if len(answer) == 0 {
		return js.Undefined()
	}
	return b.json.Call("parse", unsafe.String(&answer[0], len(answer)))
}

func (b *bridge) progress(p api.Progress) js.Value {
	d := b.object.New()
	d.Set("call", p.Call)
	d.Set("time", p.Time)
	d.Set("until", p.Until)
	return d
}

// start makes the page's first run from the host element's attributes,
// then announces the API with raftplay:ready.
func (b *bridge) start(p *page) {
	pg := api.ReadPage(p.attr)
	done := make(chan []byte, 1)
	answer := func(a []byte) { done <- append([]byte(nil), a...) }
	b.worker.Submit("create", [][]byte{pg.CreateArgs()}, answer)
	status := <-done
	if e := b.parse(status).Get("error"); e.Truthy() {
		pg.Warnings = append(pg.Warnings, "the page's settings failed ("+e.String()+"): started with the defaults")
		pg = api.Page{Seed: 1, Scenario: api.ScenarioElection, Warnings: pg.Warnings}
		b.worker.Submit("create", nil, answer)
		status = <-done
	}
	p.dispatch(eventReady, b.parse(pg.ReadyJSON(status)))
}

var infinity, minusInfinity = js.ValueOf(math.Inf(1)), js.ValueOf(math.Inf(-1))

func itoa(n int) string { return strconv.Itoa(n) }
