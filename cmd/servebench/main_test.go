package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"index.html":              "<!doctype html><p>page",
		"index.html.br":           "br",
		"main.0123456789ab.js":    "export {}",
		"main.0123456789ab.js.gz": "gz",
		"img/logo.png":            "\x89PNG",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSitePaths(t *testing.T) {
	dir := writeSite(t)
	paths, err := sitePaths(os.DirFS(dir), "")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	if want := []string{"/", "/img/logo.png", "/main.0123456789ab.js"}; !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	if only, _ := sitePaths(os.DirFS(dir), ".js"); len(only) != 1 {
		t.Fatalf("-only .js gave %v", only)
	}
}

func TestRunCompletesWithoutErrors(t *testing.T) {
	var out strings.Builder
	if err := run(writeSite(t), "", 500, 8, time.Minute, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "500 requests over 8 connections to 3 files, 0 errors") {
		t.Fatalf("report:\n%s", out.String())
	}
	if err := run(writeSite(t), "no-such-file", 10, 1, time.Minute, &out); err == nil {
		t.Fatal("ran with no files to request")
	}
}
