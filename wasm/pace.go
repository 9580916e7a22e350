//go:build js && wasm

package main

import "syscall/js"

// pacer gives the page a turn between slices of long work. Go's goroutines
// run until all of them wait, and only then does the browser get control
// back: a goroutine that computes for a second freezes the page for a
// second. So long work waits, between slices, for a message posted to
// itself, which the browser delivers after input and drawing, with none of
// setTimeout's 4 ms clamp.
type pacer struct {
	fn   js.Func
	done chan struct{}
}

func newPacer() *pacer {
	p := &pacer{done: make(chan struct{}, 1)}
	p.fn = js.FuncOf(func(js.Value, []js.Value) any {
		p.done <- struct{}{}
		return nil
	})
	return p
}

// yield returns after the page has had a turn. A fresh channel each time,
// closed after, so that no open port keeps Node alive in tests.
func (p *pacer) yield() {
	if mc := js.Global().Get("MessageChannel"); mc.Truthy() {
		ch := mc.New()
		in := ch.Get("port1")
		in.Set("onmessage", p.fn)
		ch.Get("port2").Call("postMessage", nil)
		<-p.done
		in.Call("close")
		return
	}
	js.Global().Call("setTimeout", p.fn, 0)
	<-p.done
}
