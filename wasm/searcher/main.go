//go:build js && wasm

// Command searcher is the playground's search worker: the simulator again,
// headless, in a Web Worker, with the calls of wasm/hunt (search a rule's
// campaign for a counterexample, check a run's clients' history) besides
// those of wasm/api. The page loads it only when a student asks for a
// search, so the first load does not grow and the page keeps its frames.
//
// Messages, both ways, are plain objects:
//
//	page -> worker   {id, call, args: [...]}       a call, as on raftplay
//	worker -> page   {ready: true, version}        once, when it can take calls
//	                 {id, answer}                  the call's answer (or {error, code})
//	                 {progress: {call, time, until}}  between slices of long work
//
// To cancel a search, terminate the worker and start a new one.
package main

import (
	"strconv"
	"syscall/js"
	"time"

	"github.com/raftplay/raftplay/wasm/api"
	"github.com/raftplay/raftplay/wasm/hunt"
)

func main() {
	self := js.Global()
	jsonObj, object := self.Get("JSON"), self.Get("Object")
	post := func(v js.Value) { self.Call("postMessage", v) }
	parse := func(b []byte) js.Value { return jsonObj.Call("parse", string(b)) }
	w := api.NewWorker(api.Config{
		Check:  true,
		Budget: 50 * time.Millisecond,
		Yield: func(p api.Progress) {
			pr := object.New()
			pr.Set("call", p.Call)
			pr.Set("time", p.Time)
			pr.Set("until", p.Until)
			m := object.New()
			m.Set("progress", pr)
			post(m)
		},
	})
	hunt.Install(w)
	go w.Run()
	onmessage := js.FuncOf(func(_ js.Value, a []js.Value) any {
		d := a[0].Get("data")
		id := d.Get("id")
		answer := func(b []byte) {
			m := object.New()
			m.Set("id", id)
			m.Set("answer", parse(b))
			post(m)
		}
		call, args := d.Get("call"), d.Get("args")
		if call.Type() != js.TypeString || (!args.IsUndefined() && !self.Get("Array").Call("isArray", args).Bool()) {
			answer(api.ErrorJSON(nil, &api.Error{Code: api.CodeBadArgument, Msg: "a message is {id, call, args: [...]}"}))
			return nil
		}
		var texts [][]byte
		for i := 0; !args.IsUndefined() && i < args.Length(); i++ {
			v := args.Index(i)
			if v.IsUndefined() || v.IsNull() {
				texts = append(texts, nil)
				continue
			}
			texts = append(texts, []byte(jsonObj.Call("stringify", v).String()))
		}
		w.Submit(call.String(), texts, answer)
		return nil
	})
	self.Set("onmessage", onmessage)
	ready := object.New()
	ready.Set("ready", true)
	ready.Set("version", strconv.Itoa(api.Version))
	post(ready)
	select {}
}
