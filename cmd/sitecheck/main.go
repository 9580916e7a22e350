// Command sitecheck checks a built or running playground over HTTP (see
// package sitecheck).
//
//	sitecheck -dir dist [-prefix /courses/raft/]   serve dist/ from a plain static
//	                                               file server under a sub-path
//	                                               and check it there
//	sitecheck -url http://host/ [-headers] [-api]  check a running deployment,
//	                                               with our header rules and the
//	                                               Go endpoints
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/raftplay/raftplay/server/sitecheck"
)

func main() {
	dir := flag.String("dir", "", "site directory to serve statically and check")
	prefix := flag.String("prefix", "/courses/raft/", "sub-path to serve -dir under")
	target := flag.String("url", "", "page URL of a running deployment to check")
	headers := flag.Bool("headers", false, "with -url: check the header rules too")
	api := flag.Bool("api", false, "with -url: check the Go endpoints too")
	flag.Parse()
	if err := run(*dir, *prefix, *target, *headers, *api); err != nil {
		fmt.Fprintln(os.Stderr, "sitecheck:", err)
		os.Exit(1)
	}
}

func run(dir, prefix, target string, headers, api bool) error {
	if (dir == "") == (target == "") {
		return errors.New("give exactly one of -dir and -url")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if dir != "" {
		srv := sitecheck.ServeDir(dir, prefix)
		defer srv.Close()
		target, headers, api = srv.URL+prefix, false, false
	}
	fetched, err := sitecheck.Check(ctx, client, target, sitecheck.Options{Headers: headers})
	for _, f := range fetched {
		fmt.Println(" ", f)
	}
	if api {
		err = errors.Join(err, sitecheck.CheckAPI(ctx, client, target))
	}
	if err != nil {
		return err
	}
	fmt.Printf("sitecheck: %s is whole (%d fetches)\n", target, len(fetched))
	return nil
}
