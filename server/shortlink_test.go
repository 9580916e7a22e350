package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/sitecheck"
)

// mapStore is a LinkStore in memory; down makes it unavailable, as a
// worker with no KV namespace bound is.
type mapStore struct {
	mu   sync.Mutex
	m    map[string]string
	down error
	puts int
}

func (s *mapStore) Ready() error { return s.down }

func (s *mapStore) Get(key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return "", false, s.down
	}
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *mapStore) Put(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return s.down
	}
	s.puts++
	s.m[key] = value
	return nil
}

// Short links through the handler, as the page and the worker use them:
// kept where a store is ready, refused politely where it is not, absent
// from the localhost server.
func TestShortLinks(t *testing.T) {
	newAPI := func() *server.Handler {
		h, err := server.NewAPI(server.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	kept := &mapStore{m: map[string]string{}}
	off := &mapStore{m: map[string]string{}, down: errors.New("no KV namespace is bound as LINKS")}
	for _, tc := range []struct {
		name string
		h    *server.Handler
		want sitecheck.ShortLinks
	}{
		{"kept", newAPI().EnableShortLinks(kept), sitecheck.ShortLinksKept},
		{"off", newAPI().EnableShortLinks(off), sitecheck.ShortLinksOff},
		{"absent", newAPI(), sitecheck.NoShortLinks},
	} {
		srv := httptest.NewServer(tc.h)
		if err := sitecheck.CheckShortLinks(context.Background(), srv.Client(), srv.URL+"/", tc.want); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		srv.Close()
	}
	if kept.puts != 1 || len(kept.m) != 1 {
		t.Errorf("the store was written %d times and holds %d links, want one of each: links are made once", kept.puts, len(kept.m))
	}
}

// A long link keeps the panels around its run (share.js): a short link
// keeps them too, and refuses what could not be a long link's.
func TestShortLinkKeepsPanels(t *testing.T) {
	h, err := server.NewAPI(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.EnableShortLinks(&mapStore{m: map[string]string{}}))
	defer srv.Close()
	for body, want := range map[string]int{
		"run=AAAA&t=1200&client=alice&to=3&sides=AABBB&show=elect%2Clog&by=0&tab=network": http.StatusCreated,
		"run=AAAA&t=1200&tab=events":         http.StatusCreated,
		"run=AAAA&t=1200&client=<b>":         http.StatusBadRequest,
		"run=AAAA&t=1200&client=alice&x=&to": http.StatusBadRequest,
	} {
		resp, err := http.Post(srv.URL+"/r", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST /r %q: %d, want %d", body, resp.StatusCode, want)
		}
	}
}
