// Command smoketest runs the Cloudflare Workers build under `wrangler dev`,
// on loopback and offline (workerd ships inside the wrangler npm package),
// and checks it the way a browser and an oEmbed consumer would: the page
// and every asset through the assets binding with the generated _headers,
// the wasm's type and encoding, the Go worker's endpoints, and short links
// kept in wrangler's local KV; then, in the environment without KV, that
// short links are refused politely. It stops wrangler and everything it
// started before returning.
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
	client := &http.Client{Timeout: 30 * time.Second}
	checks := []struct {
		env   string // wrangler environment: "" is the deployment as configured
		names []string
		check func(ctx context.Context, base string) []error
	}{
		{"", []string{"site", "API", "short links kept"}, func(ctx context.Context, base string) []error {
			fetched, siteErr := sitecheck.Check(ctx, client, base, sitecheck.Options{Headers: true})
			for _, f := range fetched {
				fmt.Fprintln(stdout, " ", f)
			}
			return []error{siteErr, sitecheck.CheckAPI(ctx, client, base),
				sitecheck.CheckShortLinks(ctx, client, base, sitecheck.ShortLinksKept)}
		}},
		// The same worker with no KV namespace bound refuses politely.
		{"nolinks", []string{"short links without KV"}, func(ctx context.Context, base string) []error {
			return []error{sitecheck.CheckShortLinks(ctx, client, base, sitecheck.ShortLinksOff)}
		}},
	}
	passed, failed := 0, 0
	var all []error
	for _, c := range checks {
		errs, out, err := underWrangler(dir, c.env, startup, client, c.check)
		if err != nil {
			return err
		}
		for i, e := range errs {
			if e == nil {
				passed++
				continue
			}
			failed++
			all = append(all, fmt.Errorf("%s: %w\nwrangler output:\n%s", c.names[i], e, out))
		}
	}
	fmt.Fprintf(stdout, "worker smoke: %d passed, %d failed\n", passed, failed)
	return errors.Join(all...)
}

// underWrangler runs check against `wrangler dev` (in environment env, if
// not empty) on a free loopback port, then stops wrangler. It returns the
// check's errors and wrangler's output, or an error if wrangler did not
// come up.
func underWrangler(dir, env string, startup time.Duration, client *http.Client,
	check func(ctx context.Context, base string) []error) ([]error, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	inspector, err := freePort()
	if err != nil {
		return nil, "", err
	}
	state, err := os.MkdirTemp("", "raftplay-wrangler-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(state)

	// The worker's public address is where wrangler serves it: oEmbed
	// answers must point there.
	base := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	w, err := startWrangler(dir, env, port, inspector, state, base)
	if err != nil {
		return nil, "", err
	}
	defer w.stop()

	if err := w.waitReady(client, base+server.HealthPath[1:], startup); err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := check(ctx, base)
	return errs, w.output(), nil
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

// startWrangler starts `npx --no wrangler dev` (--no: never download), in
// environment env if not empty, in
// its own process group, with telemetry and prompts off and its state in
// a temporary directory.
func startWrangler(dir, env string, port, inspector int, state, publicURL string) (*wrangler, error) {
	w := &wrangler{exited: make(chan struct{})}
	args := []string{"--no", "wrangler", "dev",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--inspector-ip", "127.0.0.1", "--inspector-port", strconv.Itoa(inspector),
		"--local", "--persist-to", state, "--show-interactive-dev-session=false",
		"--var", "PUBLIC_URL:" + publicURL}
	if env != "" {
		args = append(args, "--env", env)
	}
	w.cmd = exec.Command("npx", args...)
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
