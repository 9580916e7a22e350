package sitebuild

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/raftplay/raftplay/server"
)

// Options says what to build from and where to write it.
type Options struct {
	Web      fs.FS  // the front-end source, web/
	Wasm     []byte // the playground: GOOS=js GOARCH=wasm go build ./wasm
	WasmExec []byte // $(go env GOROOT)/lib/wasm/wasm_exec.js of the Go that built Wasm
	// SearchWasm is the search worker (GOOS=js GOARCH=wasm go build
	// ./wasm/searcher), which the page loads only when a student asks for
	// a search; optional.
	SearchWasm []byte
	// Out is the site directory to write (it must be new or empty): every
	// file plus its .br and .gz variants, served as is by the server,
	// dist/ and any static host.
	Out string
	// WorkersOut, if set, is a second directory for the Cloudflare Workers
	// assets binding: the same files without variants (Cloudflare
	// compresses by itself) and a _headers file derived from the server's
	// rules (server.CloudflareHeaders).
	WorkersOut string
}

// File describes one file of the built site.
type File struct {
	Name         string // its path in the site, hashed where it is
	Size         int
	Brotli, Gzip int // sizes of the variants, 0 where there is none
	Hashed       bool
	OnDemand     bool // not part of a first visit: loaded only when asked for
}

// Build builds the site. It reports every problem it finds in web/ at
// once, and writes nothing unless there are none.
func Build(o Options) ([]File, error) {
	files, err := readSources(o.Web)
	if err != nil {
		return nil, err
	}
	derived, err := addGenerated(files, o)
	if err != nil {
		return nil, err
	}

	refs := map[string][]ref{}
	var problems []error
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name == WasmExecName {
			continue // Go's file, loaded as a classic script: nothing to follow
		}
		r, errs := scan(name, files)
		refs[name] = r
		if !derived[name] {
			problems = append(problems, errs...)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}

	names := assignNames(files, refs)
	site := map[string][]byte{}
	for name, content := range files {
		site[names[name]] = rewrite(content, refs[name], names)
	}
	packed := compressAll(site, server.Compressible)

	if err := writeSite(o.Out, site, packed); err != nil {
		return nil, err
	}
	if o.WorkersOut != "" {
		if err := writeWorkersAssets(o.WorkersOut, o.Out, site); err != nil {
			return nil, err
		}
	}

	var report []File
	for _, name := range slices.Sorted(maps.Keys(site)) {
		report = append(report, File{
			Name: name, Size: len(site[name]),
			Brotli: len(packed[name].br), Gzip: len(packed[name].gz),
			Hashed: server.IsHashed(name),
			// The search worker's wasm loads only when asked for.
			OnDemand: names[SearchWasmName] == name,
		})
	}
	return report, nil
}

// addGenerated adds the files that do not come from web/, and returns
// those derived from a web/ file (embed.html from index.html), whose
// problems are reported once, against their source.
func addGenerated(files map[string][]byte, o Options) (map[string]bool, error) {
	if len(o.Wasm) == 0 || len(o.WasmExec) == 0 {
		return nil, errors.New("sitebuild: the wasm and wasm_exec.js are required")
	}
	files[WasmName] = o.Wasm
	files[WasmExecName] = o.WasmExec
	if len(o.SearchWasm) > 0 {
		files[SearchWasmName] = o.SearchWasm
	}
	derived := map[string]bool{}
	if _, ok := files[EmbedName]; !ok {
		page, err := embedPage(files[IndexName])
		if err != nil {
			return nil, err
		}
		files[EmbedName] = page
		derived[EmbedName] = true
	}
	if _, ok := files[NotFoundName]; !ok {
		files[NotFoundName] = []byte(server.NotFoundPage)
	}
	return derived, nil
}

// writeSite writes the files and their variants under dir.
func writeSite(dir string, site map[string][]byte, packed map[string]variants) error {
	if err := newDir(dir); err != nil {
		return err
	}
	for name, content := range site {
		if err := writeFile(dir, name, content); err != nil {
			return err
		}
		if v := packed[name]; v.br != nil {
			if err := writeFile(dir, name+".br", v.br); err != nil {
				return err
			}
		}
		if v := packed[name]; v.gz != nil {
			if err := writeFile(dir, name+".gz", v.gz); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeWorkersAssets writes the Workers assets directory: the plain files
// and the _headers file that the server's rules give for the site in
// siteDir.
func writeWorkersAssets(dir, siteDir string, site map[string][]byte) error {
	headers, err := server.CloudflareHeaders(os.DirFS(siteDir))
	if err != nil {
		return err
	}
	if err := newDir(dir); err != nil {
		return err
	}
	for name, content := range site {
		if err := writeFile(dir, name, content); err != nil {
			return err
		}
	}
	return writeFile(dir, "_headers", headers)
}

// newDir creates dir, which must not hold anything yet: the build never
// deletes, so a wrong -out cannot wipe a directory.
func newDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("sitebuild: %s is not empty; remove it first", dir)
	}
	return nil
}

func writeFile(dir, name string, content []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, content, 0o644)
}
