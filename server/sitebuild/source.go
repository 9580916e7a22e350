package sitebuild

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/raftplay/raftplay/server"
)

// Names of the files the build adds to web/'s own.
const (
	WasmName     = "raftplay.wasm"
	WasmExecName = "wasm_exec.js"
	// SearchWasmName is the search worker's wasm (Options.SearchWasm).
	SearchWasmName = "raftplay-search.wasm"
	IndexName      = "index.html"
	EmbedName      = "embed.html"
	NotFoundName   = "404.html"
)

// skipped reports whether a path in web/ is not part of the site: hidden
// files, installed packages, notes and front-end tests.
func skipped(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") || seg == "node_modules" {
			return true
		}
	}
	base := path.Base(name)
	for _, suffix := range []string{".md", ".test.js", ".test.mjs", "_test.js", "_test.mjs"} {
		if strings.HasSuffix(base, suffix) {
			return true
		}
	}
	return false
}

// readSources loads web/ into memory and checks every name: a known type,
// not already hashed, not one of the names the build adds itself.
func readSources(web fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	var problems []error
	err := fs.WalkDir(web, ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case name == ".":
			return nil
		case skipped(name):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case !d.Type().IsRegular():
			return nil
		}
		if _, ok := server.ContentType(name); !ok {
			problems = append(problems, fmt.Errorf("web/%s: the site serves no %q files (add the type in server/types.go)", name, path.Ext(name)))
			return nil
		}
		if server.IsHashed(name) {
			problems = append(problems, fmt.Errorf("web/%s: looks content-hashed already; the build adds hashes", name))
			return nil
		}
		if name == WasmName || name == WasmExecName {
			problems = append(problems, fmt.Errorf("web/%s: the build provides this file; remove it from web/", name))
			return nil
		}
		b, err := fs.ReadFile(web, name)
		if err != nil {
			return err
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading web/: %w", err)
	}
	if _, ok := files[IndexName]; !ok && len(problems) == 0 {
		problems = append(problems, fmt.Errorf("web/%s is missing", IndexName))
	}
	return files, errors.Join(problems...)
}

var htmlOpenTag = regexp.MustCompile(`(?i)<html\b`)

// embedPage derives embed.html from index.html: the same page with a
// data-embed attribute on <html>, so the front-end can show a compact
// layout (CSS: html[data-embed] ...; JS: document.documentElement.dataset.embed).
func embedPage(index []byte) ([]byte, error) {
	loc := htmlOpenTag.FindIndex(index)
	if loc == nil {
		return nil, fmt.Errorf("web/%s has no <html> tag to mark as embedded", IndexName)
	}
	out := make([]byte, 0, len(index)+len(" data-embed"))
	out = append(out, index[:loc[1]]...)
	out = append(out, " data-embed"...)
	return append(out, index[loc[1]:]...), nil
}
