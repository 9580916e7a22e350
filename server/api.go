package server

import (
	"encoding/json"
	"net/http"
	"runtime/debug"
	"sync"
)

// API routes. They are dynamic but stateless: the Cloudflare worker starts
// a fresh Go instance for every request, so nothing may be kept between
// requests.
const (
	HealthPath = "/healthz"
	OEmbedPath = "/oembed"
)

func apiRoutes(o Options, h *Handler) (map[string]http.HandlerFunc, error) {
	oe, err := newOEmbed(o.PublicURL)
	if err != nil {
		return nil, err
	}
	return map[string]http.HandlerFunc{
		HealthPath: serveHealth,
		// oEmbed embeds a short link too, where h keeps them.
		OEmbedPath: func(w http.ResponseWriter, r *http.Request) { oe.serve(w, r, h.links) },
	}, nil
}

// Health is the body of the health check.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", cacheNever)
	writeJSON(w, Health{Status: "ok", Version: Version()})
}

// Version names the build: the VCS revision Go stamped into the binary
// (with "-dirty" for uncommitted changes), else the module version, else
// "devel" (as in tests).
var Version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev != "" && dirty:
		return rev + "-dirty"
	case rev != "":
		return rev
	case info.Main.Version != "" && info.Main.Version != "(devel)":
		return info.Main.Version
	}
	return "devel"
})

// writeJSON answers 200 with v as JSON. v is always one of our own structs,
// so encoding cannot fail.
func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}
