//go:build js && wasm

// Command wasm is a placeholder for the playground's WebAssembly entry point:
// it announces that it started and keeps the Go runtime alive. The wasm
// engineer replaces it with the simulator and its JS API.
package main

import "syscall/js"

func main() {
	doc := js.Global().Get("document")
	event := js.Global().Get("CustomEvent").New("raftplay:ready")
	doc.Call("dispatchEvent", event)
	select {} // keep exported callbacks (none yet) alive
}
