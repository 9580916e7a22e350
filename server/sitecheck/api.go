package sitecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/raftplay/raftplay/server"
)

// CheckAPI checks the Go endpoints at base (the site's root URL, ending in
// "/"): the health check, oEmbed for a link to the page, the 404 page, and
// that other methods are refused. It returns every problem found, joined.
func CheckAPI(ctx context.Context, client *http.Client, base string) error {
	root, err := url.Parse(base)
	if err != nil {
		return err
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	at := func(p string) string { return root.ResolveReference(&url.URL{Path: p}).String() }

	var health server.Health
	if err := getJSON(ctx, client, at(strings.TrimPrefix(server.HealthPath, "/")), &health); err != nil {
		fail("health: %v", err)
	} else if health.Status != "ok" || health.Version == "" {
		fail("health: %+v", health)
	}

	link := base + "?seed=7#t=100"
	var embed server.OEmbed
	oembed := at(strings.TrimPrefix(server.OEmbedPath, "/")) + "?url=" + url.QueryEscape(link)
	if err := getJSON(ctx, client, oembed, &embed); err != nil {
		fail("oembed: %v", err)
	} else if want := `src="` + base + `embed.html?seed=7#t=100"`; embed.Type != "rich" || !strings.Contains(embed.HTML, want) {
		fail("oembed for %s: %+v, want an iframe with %s", link, embed, want)
	}

	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{http.MethodGet, at("no/such/page"), http.StatusNotFound},
		{http.MethodPost, at(strings.TrimPrefix(server.HealthPath, "/")), http.StatusMethodNotAllowed},
		{http.MethodDelete, at(strings.TrimPrefix(server.OEmbedPath, "/")), http.StatusMethodNotAllowed},
	} {
		resp, err := do(ctx, client, tc.method, tc.target)
		if err != nil {
			fail("%s %s: %v", tc.method, tc.target, err)
			continue
		}
		if resp.StatusCode != tc.want {
			fail("%s %s: status %d, want %d", tc.method, tc.target, resp.StatusCode, tc.want)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
			fail("%s %s: error response without the security headers", tc.method, tc.target)
		}
	}
	return errors.Join(errs...)
}

func getJSON(ctx context.Context, client *http.Client, target string, v any) error {
	resp, err := do(ctx, client, http.MethodGet, target)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		return fmt.Errorf("GET %s: status %d, Content-Type %q", target, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		return fmt.Errorf("GET %s: no nosniff", target)
	}
	return json.Unmarshal(resp.body, v)
}

type response struct {
	*http.Response
	body []byte
}

// do sends one request and reads the whole body.
func do(ctx context.Context, client *http.Client, method, target string) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	return exchange(client, req)
}

// exchange sends req and reads the whole answer.
func exchange(client *http.Client, req *http.Request) (*response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{resp, b}, nil
}
