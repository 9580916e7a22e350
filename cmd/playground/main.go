// Command playground serves the Raft playground on localhost: the page,
// scripts and wasm built into the binary (package embedded) through
// server.Handler. `make run` builds everything and starts it.
//
//	playground [-addr host:port]
//
// The address is -addr if given, else ":$PORT" if PORT is set, else :8080.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/embedded"
)

const defaultAddr = ":8080"

func main() {
	addr := flag.String("addr", "", "address to listen on (default :$PORT, else "+defaultAddr+")")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, listenAddr(*addr, os.Getenv("PORT")), embedded.Site(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// listenAddr picks the address: the flag, then PORT, then the default.
func listenAddr(flagAddr, port string) string {
	switch {
	case flagAddr != "":
		return flagAddr
	case port != "":
		return ":" + port
	}
	return defaultAddr
}

// run serves site until ctx is done, then lets requests in flight finish.
func run(ctx context.Context, addr string, site fs.FS, stdout io.Writer) error {
	h, err := server.New(site)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(stdout, "Raft playground: %s\n", pageURL(ln.Addr()))

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// pageURL is the address to open in a browser: listening on every
// interface (":8080") means localhost is one of them.
func pageURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
