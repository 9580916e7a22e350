//go:build js && wasm

// Command wasm is the Raft playground's simulator in the browser: it runs
// raft/sim behind the JavaScript API of API.md (globalThis.raftplay), every
// peer on its own goroutine.
package main

func main() {
	page := findPage()
	api := install(page)
	api.start(page)
	select {} // the API's callbacks live as long as the page
}
