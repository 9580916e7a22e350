// Command playground serves the Raft playground: the page, scripts and
// wasm built into the binary (package embedded) through server.Handler.
// `make run` builds everything and starts it.
//
//	playground [-addr host:port] [-public] [-public-url URL]
//
// It listens on loopback only (127.0.0.1:8080, or 127.0.0.1:$PORT when
// PORT is set), so a playground started on a laptop is not open to the
// network it is on; -public listens on every interface, and -addr on the
// address given. oEmbed answers point at -public-url, by default the
// address printed at start.
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

const defaultPort = "8080"

func main() {
	addr := flag.String("addr", "", "address to listen on (default 127.0.0.1:$PORT, else 127.0.0.1:"+defaultPort+")")
	public := flag.Bool("public", false, "listen on every interface, not only loopback: other machines can open the playground")
	publicURL := flag.String("public-url", "", "the page's address as its users reach it, for oEmbed answers (default: the address printed at start)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, listenAddr(*addr, os.Getenv("PORT"), *public), *publicURL, embedded.Site(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// listenAddr picks the address: the flag, else loopback (or every
// interface, if public) on PORT or the default port.
func listenAddr(flagAddr, port string, public bool) string {
	if flagAddr != "" {
		return flagAddr
	}
	if port == "" {
		port = defaultPort
	}
	host := "127.0.0.1"
	if public {
		host = ""
	}
	return net.JoinHostPort(host, port)
}

// run serves site until ctx is done, then lets requests in flight finish.
// publicURL is where oEmbed answers point; empty: the printed address.
func run(ctx context.Context, addr, publicURL string, site fs.FS, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	page := pageURL(ln.Addr())
	if publicURL == "" {
		publicURL = page
	}
	h, err := server.New(site, server.Options{PublicURL: publicURL})
	if err != nil {
		return err
	}
	srv := server.NewHTTPServer(h, server.DefaultTimeouts())
	fmt.Fprintf(stdout, "Raft playground: %s\n", page)

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
