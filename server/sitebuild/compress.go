package sitebuild

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// variants holds the precompressed forms of one file; nil where
// compressing did not make the file smaller.
type variants struct {
	br, gz []byte
}

// compressAll precompresses the compressible files, the largest first and
// in parallel: brotli at its best quality takes seconds on the wasm, and
// this runs once per build, not per request.
func compressAll(files map[string][]byte, compressible func(string) bool) map[string]variants {
	var names []string
	for name := range files {
		if compressible(name) {
			names = append(names, name)
		}
	}
	jobs := make(chan string)
	out := make(map[string]variants, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for name := range jobs {
				v := compress(files[name])
				mu.Lock()
				out[name] = v
				mu.Unlock()
			}
		})
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(len(files[b])-len(files[a]), strings.Compare(a, b))
	})
	for _, name := range names {
		jobs <- name
	}
	close(jobs)
	wg.Wait()
	return out
}

// compress returns b compressed with brotli (quality 11, a window just
// large enough for b, up to the format's 16 MiB) and gzip (best
// compression). Both writers write into memory, which
// cannot fail, and both are deterministic: gzip's header carries no name
// or time unless asked to.
func compress(b []byte) variants {
	var br, gz bytes.Buffer
	bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{
		Quality: brotli.BestCompression,
		LGWin:   min(max(bits.Len(uint(len(b))), 10), 24),
	})
	_, _ = bw.Write(b)
	_ = bw.Close()
	gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = gw.Write(b)
	_ = gw.Close()
	var v variants
	if br.Len() < len(b) {
		v.br = br.Bytes()
	}
	if gz.Len() < len(b) {
		v.gz = gz.Bytes()
	}
	return v
}
