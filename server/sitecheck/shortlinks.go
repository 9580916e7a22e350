package sitecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/raftplay/raftplay/server"
)

// Short-link expectations of a deployment (see server/shortlink.go).
type ShortLinks int

const (
	NoShortLinks   ShortLinks = iota // GET /r says none, nothing else: the page keeps long links
	ShortLinksOff                    // /r answers, politely, that links cannot be kept
	ShortLinksKept                   // /r keeps links
)

// CheckShortLinks checks the short-link routes as the page uses them: the
// capability answer, and, where links are kept, a round trip (same run,
// same id; the id redirects to the page with the run), an unknown id, and
// the refusals of a run too long for a short link and of text that is no
// run. Where they are off, making one is refused with a message that says
// the long link works.
func CheckShortLinks(ctx context.Context, client *http.Client, base string, want ShortLinks) error {
	root, err := url.Parse(base)
	if err != nil {
		return err
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	at := func(p string) string { return root.ResolveReference(&url.URL{Path: p}).String() }
	links := at(strings.TrimPrefix(server.ShortLinkPath, "/"))
	// The page must see redirects, not follow them.
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := send(ctx, &noFollow, http.MethodGet, links, "")
	if err != nil {
		return err
	}
	var capability server.ShortLinkAnswer
	if err := answer(resp, http.StatusOK, &capability); err != nil {
		return fmt.Errorf("GET %s: %w", links, err)
	}
	if want == NoShortLinks {
		if capability.ShortLinks {
			fail("GET %s: %+v, want no short links", links, capability)
		}
		for _, tc := range []struct{ method, target string }{{http.MethodPost, links}, {http.MethodGet, at("r/AAAAAAAAAAAAAAAA")}} {
			if resp, err := send(ctx, &noFollow, tc.method, tc.target, "run=AA&t=1"); err != nil || resp.StatusCode < 400 {
				fail("%s %s where no links are kept: %v, want a refusal", tc.method, tc.target, statusOf(resp, err))
			}
		}
		return errors.Join(errs...)
	}

	fragment := "run=c2hvcnQtbGluay10ZXN0&t=86400000&client=alice&to=2&sides=AABBB&show=elect%2Clog&tab=network"
	made, err := send(ctx, &noFollow, http.MethodPost, links, fragment)
	if err != nil {
		return err
	}
	if want == ShortLinksOff {
		var refused server.ShortLinkAnswer
		if capability.ShortLinks || !strings.Contains(capability.Error, "long link") {
			fail("GET %s: %+v, want short links off and a word about the long link", links, capability)
		}
		if err := answer(made, http.StatusServiceUnavailable, &refused); err != nil || !strings.Contains(refused.Error, "not available") {
			fail("POST %s without a store: %v %+v, want 503 saying short links are not available", links, err, refused)
		}
		return errors.Join(errs...)
	}
	if !capability.ShortLinks || capability.MaxBytes != server.MaxShortLink {
		fail("GET %s: %+v, want short links on, up to %d bytes", links, capability, server.MaxShortLink)
	}
	var first, again server.ShortLinkAnswer
	if err := answer(made, http.StatusCreated, &first); err != nil {
		return fmt.Errorf("POST %s: %w", links, err)
	}
	if made, err = send(ctx, &noFollow, http.MethodPost, links, fragment); err == nil {
		err = answer(made, http.StatusCreated, &again)
	}
	if err != nil || again.ID != first.ID || first.Path != "r/"+first.ID {
		fail("the same run made links %+v and %+v (%v), want one id twice, at r/<id>", first, again, err)
	}
	short := at(first.Path)
	if resp, err := send(ctx, &noFollow, http.MethodGet, short, ""); err != nil {
		fail("GET %s: %v", short, err)
	} else if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "../#"+fragment {
		fail("GET %s: status %d to %q, want 302 to ../#%s", short, resp.StatusCode, loc, fragment)
	}
	// How the run is shown goes along; nothing else of the query does.
	if resp, err := send(ctx, &noFollow, http.MethodGet, short+"?view=ring%2Blogs&peers=9&paused=1", ""); err != nil {
		fail("GET %s: %v", short, err)
	} else if loc, want := resp.Header.Get("Location"), "../?paused=1&view=ring%2Blogs#"+fragment; resp.StatusCode != http.StatusFound || loc != want {
		fail("GET %s?view=ring%%2Blogs&peers=9&paused=1: status %d to %q, want 302 to %s", short, resp.StatusCode, loc, want)
	}
	unknown := at("r/AAAAAAAAAAAAAAAA")
	if resp, err := send(ctx, &noFollow, http.MethodGet, unknown, ""); err != nil || resp.StatusCode != http.StatusNotFound {
		fail("GET %s (an unknown link): %v, want 404", unknown, statusOf(resp, err))
	}
	for _, tc := range []struct {
		body  string
		code  int
		words []string
	}{
		{"run=" + strings.Repeat("A", server.MaxShortLink) + "&t=0", http.StatusRequestEntityTooLarge, []string{"too long", "long link"}},
		{"<script>alert(1)</script>", http.StatusBadRequest, []string{"not one"}},
		{"run=AAAA&t=5\r\nSet-Cookie: x=1", http.StatusBadRequest, []string{"not one"}},
	} {
		var refused server.ShortLinkAnswer
		resp, err := send(ctx, &noFollow, http.MethodPost, links, tc.body)
		if err == nil {
			err = answer(resp, tc.code, &refused)
		}
		for _, w := range tc.words {
			if err != nil || !strings.Contains(refused.Error, w) {
				fail("POST %s (%.20s...): %v %+v, want %d saying %q", links, tc.body, err, refused, tc.code, w)
				break
			}
		}
	}
	return errors.Join(errs...)
}

// send makes one request with a text body (none if empty).
func send(ctx context.Context, client *http.Client, method, target, body string) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	return exchange(client, req)
}

// answer checks a JSON answer's status and decodes it.
func answer(resp *response, code int, v any) error {
	if resp.StatusCode != code || resp.Header.Get("Content-Type") != "application/json" {
		return fmt.Errorf("status %d, Content-Type %q, want %d and JSON: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), code, resp.body)
	}
	return json.Unmarshal(resp.body, v)
}

func statusOf(resp *response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint("status ", resp.StatusCode)
}
