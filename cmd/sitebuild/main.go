// Command sitebuild builds the playground's site from web/, the wasm and
// Go's wasm_exec.js (see package sitebuild), and prints what it wrote with
// the sizes that matter for the first-load budget. `make site` runs it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/raftplay/raftplay/server/sitebuild"
)

func main() {
	web := flag.String("web", "web", "front-end source directory")
	wasm := flag.String("wasm", "build/raftplay.wasm", "the playground's WebAssembly")
	wasmExec := flag.String("wasm-exec", "", "wasm_exec.js of the Go that built the wasm: $(go env GOROOT)/lib/wasm/wasm_exec.js")
	searchWasm := flag.String("search-wasm", "", "the search worker's WebAssembly (loaded on demand); none if empty")
	out := flag.String("out", "build/site", "site directory to write (must be new or empty)")
	workersOut := flag.String("workers-out", "", "if set, also write the Cloudflare Workers assets directory here")
	flag.Parse()
	if err := run(*web, *wasm, *wasmExec, *searchWasm, *out, *workersOut, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sitebuild:", err)
		os.Exit(1)
	}
}

func run(web, wasmPath, wasmExecPath, searchWasmPath, out, workersOut string, stdout io.Writer) error {
	if wasmExecPath == "" {
		return fmt.Errorf("-wasm-exec is required")
	}
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return err
	}
	wasmExec, err := os.ReadFile(wasmExecPath)
	if err != nil {
		return err
	}
	var searchWasm []byte
	if searchWasmPath != "" {
		if searchWasm, err = os.ReadFile(searchWasmPath); err != nil {
			return err
		}
	}
	files, err := sitebuild.Build(sitebuild.Options{
		Web: os.DirFS(web), Wasm: wasm, WasmExec: wasmExec, SearchWasm: searchWasm, Out: out, WorkersOut: workersOut,
	})
	if err != nil {
		return err
	}
	return report(stdout, out, files)
}

// report prints one line per file and the total a first visit transfers
// with brotli, which DESIGN.md budgets.
func report(w io.Writer, out string, files []sitebuild.File) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "file\tbytes\tbrotli\tgzip\t\n")
	total, later := 0, 0
	for _, f := range files {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", f.Name, f.Size, size(f.Brotli), size(f.Gzip))
		n := f.Size
		if f.Brotli > 0 {
			n = f.Brotli
		}
		if f.OnDemand {
			later += n
		} else {
			total += n
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "wrote %s: %d files, %d bytes with brotli in all, besides %d loaded only on demand (the search worker)\n", out, len(files), total, later)
	return err
}

func size(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
