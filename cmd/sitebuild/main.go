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
	out := flag.String("out", "build/site", "site directory to write (must be new or empty)")
	workersOut := flag.String("workers-out", "", "if set, also write the Cloudflare Workers assets directory here")
	flag.Parse()
	if err := run(*web, *wasm, *wasmExec, *out, *workersOut, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sitebuild:", err)
		os.Exit(1)
	}
}

func run(web, wasmPath, wasmExecPath, out, workersOut string, stdout io.Writer) error {
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
	files, err := sitebuild.Build(sitebuild.Options{
		Web: os.DirFS(web), Wasm: wasm, WasmExec: wasmExec, Out: out, WorkersOut: workersOut,
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
	total := 0
	for _, f := range files {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", f.Name, f.Size, size(f.Brotli), size(f.Gzip))
		if f.Brotli > 0 {
			total += f.Brotli
		} else {
			total += f.Size
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "wrote %s: %d files, %d bytes with brotli in all\n", out, len(files), total)
	return err
}

func size(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
