package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

// asset is one published file with everything needed to answer for it,
// worked out once when the handler is built.
type asset struct {
	name         string // path inside the site, e.g. "render/svg.0123456789ab.js"
	contentType  string
	cacheControl string
	// reps holds the identity bytes first, then any precompressed variants.
	reps []representation
}

// representation is one encoding of an asset's bytes.
type representation struct {
	coding string // "" for identity, else a content coding ("br", "gzip")
	body   []byte
	etag   string // strong, and different for each coding (RFC 9110 8.8.3)
}

// codings lists the content codings available besides identity.
func (a *asset) codings() []string {
	var out []string
	for _, r := range a.reps[1:] {
		out = append(out, r.coding)
	}
	return out
}

// rep returns the representation for coding ("" for identity).
func (a *asset) rep(coding string) representation {
	for _, r := range a.reps {
		if r.coding == coding {
			return r
		}
	}
	return a.reps[0]
}

// site maps URL paths to assets. Every name is resolved at load time, so a
// request is one map lookup and can never reach outside the site.
type site struct {
	routes map[string]*asset
}

// loadSite indexes a built site: every file, its precompressed ".br" and
// ".gz" siblings, and "index.html" files also under their directory's path
// ("/" for the root page). Hidden files (".gitignore") are skipped. A file of
// an unknown type, or a variant without its original, is an error: the site
// build never makes one, so it means the wrong directory was given.
func loadSite(fsys fs.FS) (*site, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading site: %w", err)
	}

	s := &site{routes: map[string]*asset{}}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if variantOf(name) != "" {
			continue
		}
		a, err := newAsset(name, files)
		if err != nil {
			return nil, err
		}
		s.routes["/"+name] = a
		if path.Base(name) == "index.html" {
			s.routes["/"+strings.TrimSuffix(name, "index.html")] = a
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if orig := variantOf(name); orig != "" {
			if _, ok := files[orig]; !ok {
				return nil, fmt.Errorf("site file %s has no original %s", name, orig)
			}
		}
	}
	if _, ok := s.routes["/"]; !ok {
		return nil, errors.New("site has no index.html (build it first: make site)")
	}
	return s, nil
}

// newAsset builds the asset for name with the variants found in files.
func newAsset(name string, files map[string][]byte) (*asset, error) {
	ct, ok := ContentType(name)
	if !ok {
		return nil, fmt.Errorf("site file %s: no content type for %q (add one in server/types.go)", name, path.Ext(name))
	}
	a := &asset{name: name, contentType: ct, cacheControl: cacheControlFor(name)}
	a.reps = append(a.reps, newRepresentation("", files[name]))
	for _, coding := range []string{encBrotli, encGzip} {
		if b, ok := files[name+variantSuffix[coding]]; ok {
			a.reps = append(a.reps, newRepresentation(coding, b))
		}
	}
	return a, nil
}

func newRepresentation(coding string, body []byte) representation {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:10])
	if coding != "" {
		tag += "-" + coding
	}
	return representation{coding: coding, body: body, etag: `"` + tag + `"`}
}

// variantOf returns the original name if name is a precompressed variant.
func variantOf(name string) string {
	for _, suffix := range variantSuffix {
		if orig, ok := strings.CutSuffix(name, suffix); ok {
			return orig
		}
	}
	return ""
}
