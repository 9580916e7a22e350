// Command servebench measures the localhost server under load: it serves a
// built site through server.Handler on a loopback port and sends a fixed
// number of requests over a fixed number of keep-alive connections, cycling
// through every file as browsers loading the page would (accepting brotli
// and gzip). Any error, wrong status or short body fails the run. The run is
// bounded by -n and by -timeout.
//
//	servebench -site build/site -n 20000 -c 64
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftplay/raftplay/server"
)

func main() {
	site := flag.String("site", "build/site", "built site directory")
	n := flag.Int("n", 20000, "requests in all")
	c := flag.Int("c", 64, "concurrent connections")
	timeout := flag.Duration("timeout", 2*time.Minute, "bound on the whole run")
	only := flag.String("only", "", "request only the files whose path contains this (say .html)")
	flag.Parse()
	if err := run(*site, *only, *n, *c, *timeout, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}

func run(dir, only string, n, conns int, timeout time.Duration, out io.Writer) error {
	if n < 1 || conns < 1 {
		return errors.New("-n and -c must be positive")
	}
	fsys := os.DirFS(dir)
	h, err := server.New(fsys, server.Options{})
	if err != nil {
		return err
	}
	paths, err := sitePaths(fsys, only)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("no file in %s matches %q", dir, only)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var (
		next      atomic.Int64
		bytesRead atomic.Int64
		mu        sync.Mutex
		errs      []error
		latencies = make([]time.Duration, n)
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range conns {
		// One transport per worker with one connection: exactly conns
		// keep-alive connections in all.
		client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}}
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				size, err := get(ctx, client, base+paths[i%len(paths)])
				latencies[i] = time.Since(t0)
				bytesRead.Add(size)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return fmt.Errorf("not done within %v", timeout)
	}

	slices.Sort(latencies)
	fmt.Fprintf(out, "servebench: %d requests over %d connections to %d files, %d errors\n", n, conns, len(paths), len(errs))
	fmt.Fprintf(out, "  %.0f requests/s, %.1f MB/s, in %v\n", float64(n)/elapsed.Seconds(), float64(bytesRead.Load())/1e6/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "  latency p50 %v, p99 %v, max %v\n", latencies[n/2].Round(time.Microsecond), latencies[n*99/100].Round(time.Microsecond), latencies[n-1].Round(time.Microsecond))
	if len(errs) > 0 {
		return fmt.Errorf("%d errors, the first: %w", len(errs), errs[0])
	}
	return nil
}

// sitePaths lists the URL paths of the site's files whose path contains
// only (variants are reached by negotiation, not by name), the start page
// as "/".
func sitePaths(fsys fs.FS, only string) ([]string, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") ||
			strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz") || !strings.Contains(p, only) {
			return err
		}
		paths = append(paths, "/"+strings.TrimSuffix(p, "index.html"))
		return nil
	})
	return paths, err
}

// get fetches one URL and checks the status and that the whole body came.
func get(ctx context.Context, client *http.Client, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "br, gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	size, err := io.Copy(io.Discard, resp.Body)
	switch {
	case err != nil:
		return size, fmt.Errorf("GET %s: %w", url, err)
	case resp.StatusCode != http.StatusOK:
		return size, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	case resp.ContentLength >= 0 && size != resp.ContentLength:
		return size, fmt.Errorf("GET %s: %d of %d bytes", url, size, resp.ContentLength)
	}
	return size, nil
}
