// Package embedded carries the built site inside the binary, so one
// executable serves the page, the scripts and the wasm.
//
// An embed pattern cannot reach outside its package's directory, so
// `make site` copies the site build's output into site/. On a fresh clone
// site/ holds only its .gitignore: everything still compiles (go vet, go
// test), and Site returns an empty site that server.New rejects with a
// message to build it.
package embedded

import (
	"embed"
	"io/fs"
)

//go:embed all:site
var files embed.FS

// Site returns the embedded site.
func Site() fs.FS {
	sub, err := fs.Sub(files, "site")
	if err != nil {
		panic(err) // "site" is a valid path, fixed at compile time
	}
	return sub
}
