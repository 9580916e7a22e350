//go:build js && wasm

package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// page is the one place that knows the host page: the element the
// playground mounts on, the attributes it reads there, and the events it
// dispatches. Everything else talks to JavaScript through API.md's object.
type page struct {
	doc  js.Value              // document, or undefined outside a browser (Node tests)
	host *dom.BasicHTMLElement // #playground, or nil
}

const hostID = "playground"

// Events dispatched on document (API.md).
const (
	eventReady    = "raftplay:ready"
	eventProgress = "raftplay:progress"
)

func findPage() *page {
	p := &page{doc: js.Global().Get("document")}
	if !p.doc.Truthy() {
		return p
	}
	// Wrapped by hand: dom.GetWindow().Document().GetElementByID would
	// test the element against every HTML element constructor, which keeps
	// all of dom/v2's element types in the binary (about 33 KB brotli).
	if el := p.doc.Call("getElementById", hostID); el.Truthy() {
		p.host = &dom.BasicHTMLElement{BasicElement: &dom.BasicElement{BasicNode: &dom.BasicNode{Value: el}}}
	}
	return p
}

// attr reads the host's data-NAME attribute. dom/v2's wrappers cost tens of
// microseconds a call, which is nothing here: this runs once, at start.
func (p *page) attr(name string) (string, bool) {
	if p.host == nil || !p.host.HasAttribute("data-"+name) {
		return "", false
	}
	return p.host.GetAttribute("data-" + name), true
}

// dispatch sends a CustomEvent to document. It goes through syscall/js
// because dom/v2's DispatchEvent panics (it hands a Go interface to
// js.ValueOf).
func (p *page) dispatch(name string, detail js.Value) {
	if !p.doc.Truthy() {
		return
	}
	init := js.Global().Get("Object").New()
	init.Set("detail", detail)
	p.doc.Call("dispatchEvent", js.Global().Get("CustomEvent").New(name, init))
}
