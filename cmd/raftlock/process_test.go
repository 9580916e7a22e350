//go:build process

package main

// Tests with real raftlock processes (make process-test): the README's
// demo as written, and a Jepsen-style test of a cluster under crashes and
// cut links.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// TestMain removes the command built for the tests once they end: each
// run of make test left 11 MB in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// raftlockBinary builds the command once per test run.
func raftlockBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "raftlock-bin")
		if err != nil {
			buildErr = err
			return
		}
		binDir, binPath = dir, filepath.Join(dir, "raftlock")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// TestREADMEDemo runs the README's demo block, as it is written, and
// checks that each command prints what its comment says.
func TestREADMEDemo(t *testing.T) {
	runREADMEBlock(t, "TestREADMEDemo", "ok error error ok ok", []string{"7001", "7002", "7003", "8001", "8002", "8003"})
}

// TestREADMEMembers runs the README's block that adds a server and
// removes one, on ports of its own (TestREADMEDemo's may be in use).
func TestREADMEMembers(t *testing.T) {
	runREADMEBlock(t, "TestREADMEMembers", "ok ok locked by alice ok ok",
		[]string{"7011", "7012", "7013", "7014", "8011", "8012", "8013", "8014"})
}

// runREADMEBlock runs the sh block after the README's marker for test,
// as it is written, and checks that each command prints what its comment
// says, and that the comments say promise.
func runREADMEBlock(t *testing.T, test, promise string, ports []string) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := bytes.Cut(readme, []byte("<!-- "+test+" "))
	if !ok {
		t.Fatalf("README.md has no block marked for %s", test)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindSubmatch(after)
	if m == nil {
		t.Fatal("no ```sh block after the marker")
	}
	script := string(m[1])
	var want []string
	for _, line := range strings.Split(script, "\n") {
		if _, c, ok := strings.Cut(line, "   # "); ok && strings.HasPrefix(line, "./raftlock ") {
			want = append(want, strings.TrimSpace(c))
		}
	}
	if strings.Join(want, " ") != promise {
		t.Fatalf("the block's comments promise %q, not %s", want, promise)
	}
	for _, port := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			t.Fatalf("the block needs port %s, which is in use: %v", port, err)
		}
		ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = "../.."
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its servers die with it
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Start()
	if err == nil {
		defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = cmd.Wait()
	}
	got := strings.Fields(stdout.String())
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("the block printed %q (%v), want %q\nstderr:\n%s", got, err, want, stderr.String())
	}
}

// proc is one raftlock server process.
type proc struct {
	id      int
	args    []string
	url     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

func (p *proc) start(t *testing.T, bin string) {
	t.Helper()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(log, "---- started at %s\n", time.Now().Format(time.StampMicro))
	p.cmd = exec.Command(bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.exited = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) {
		c.Wait()
		log.Close()
		close(done)
	}(p.cmd, p.exited)
}

func (p *proc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	if p.running() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
}

// tail returns the last lines of the process's log, for a failure message.
func (p *proc) tail(n int) string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
