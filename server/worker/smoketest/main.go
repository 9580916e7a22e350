// Command smoketest runs the Cloudflare Workers build under `wrangler dev`,
// on loopback and offline (workerd ships inside the wrangler npm package),
// and checks it the way a browser and an oEmbed consumer would: the page
// and every asset through the assets binding with the generated _headers,
// the wasm's type and encoding, and the Go worker's endpoints. It stops
// wrangler and everything it started before returning.
//
//	go run ./server/worker/smoketest -dir server/worker
//
// Run it after `make worker` and `npm ci` in -dir; `make worker-test` does.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/sitecheck"
)

func main() {
	dir := flag.String("dir", "server/worker", "directory with wrangler.toml and node_modules")
	startup := flag.Duration("startup", time.Minute, "how long wrangler may take to answer")
	flag.Parse()
	if err := run(*dir, *startup, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "worker smoke test:", err)
		os.Exit(1)
	}
}

func run(dir string, startup time.Duration, stdout io.Writer) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	inspector, err := freePort()
	if err != nil {
		return err
	}
	state, err := os.MkdirTemp("", "raftplay-wrangler-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)

	// The worker's public address is where wrangler serves it: oEmbed
	// answers must point there.
	base := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	w, err := startWrangler(dir, port, inspector, state, base)
	if err != nil {
		return err
	}
	defer w.stop()

	client := &http.Client{Timeout: 30 * time.Second}
	if err := w.waitReady(client, base+server.HealthPath[1:], startup); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fetched, siteErr := sitecheck.Check(ctx, client, base, sitecheck.Options{Headers: true})
	for _, f := range fetched {
		fmt.Fprintln(stdout, " ", f)
	}
	apiErr := sitecheck.CheckAPI(ctx, client, base)
	failed := 0
	for _, err := range []error{siteErr, apiErr} {
		if err != nil {
			failed++
		}
	}
	fmt.Fprintf(stdout, "worker smoke: %d passed, %d failed\n", 2-failed, failed)
	if err := errors.Join(siteErr, apiErr); err != nil {
		return fmt.Errorf("%w\nwrangler output:\n%s", err, w.output())
	}
	return nil
}

// freePort asks the kernel for a loopback port that is free right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// wrangler is a running `wrangler dev` and its process group.
type wrangler struct {
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	out    bytes.Buffer
}

func (w *wrangler) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

func (w *wrangler) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

// startWrangler starts `npx --no wrangler dev` (--no: never download) in
// its own process group, with telemetry and prompts off and its state in
// a temporary directory.
func startWrangler(dir string, port, inspector int, state, publicURL string) (*wrangler, error) {
	w := &wrangler{exited: make(chan struct{})}
	w.cmd = exec.Command("npx", "--no", "wrangler", "dev",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--inspector-ip", "127.0.0.1", "--inspector-port", strconv.Itoa(inspector),
		"--local", "--persist-to", state, "--show-interactive-dev-session=false",
		"--var", "PUBLIC_URL:"+publicURL)
	w.cmd.Dir = dir
	w.cmd.Env = append(os.Environ(),
		"WRANGLER_SEND_METRICS=false", "CI=true", "NO_UPDATE_NOTIFIER=1",
		"WRANGLER_LOG_PATH="+state)
	w.cmd.Stdout, w.cmd.Stderr = w, w
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting wrangler: %w", err)
	}
	go func() {
		_ = w.cmd.Wait()
		close(w.exited)
	}()
	return w, nil
}

// waitReady polls url until it answers 200, wrangler exits, or the
// deadline passes.
func (w *wrangler) waitReady(client *http.Client, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-w.exited:
			return fmt.Errorf("wrangler exited before answering:\n%s", w.output())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wrangler did not answer %s within %v:\n%s", url, within, w.output())
		}
	}
}

// stop ends wrangler's whole process group (npx, node, workerd): politely,
// then by force if anything of it is left after five seconds.
func (w *wrangler) stop() {
	pgid := w.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for syscall.Kill(-pgid, 0) == nil {
		select {
		case <-deadline:
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-w.exited
			return
		case <-tick.C:
		}
	}
	<-w.exited
}
