package server

import (
	"path"
	"strings"
)

// fileType is how the site serves files of one extension.
type fileType struct {
	contentType string
	// compress says whether precompressed variants are worth building:
	// text and wasm shrink a lot, already-compressed images do not.
	compress bool
}

// fileTypes is explicit rather than mime.TypeByExtension so that a machine's
// /etc/mime.types cannot change what is served, and so the site build can
// reject a file whose type nobody chose. Add a row here to publish a new kind
// of file.
var fileTypes = map[string]fileType{
	".html":  {"text/html; charset=utf-8", true},
	".js":    {"text/javascript; charset=utf-8", true},
	".mjs":   {"text/javascript; charset=utf-8", true},
	".css":   {"text/css; charset=utf-8", true},
	".wasm":  {"application/wasm", true},
	".json":  {"application/json", true},
	".svg":   {"image/svg+xml", true},
	".txt":   {"text/plain; charset=utf-8", true},
	".ico":   {"image/x-icon", true},
	".png":   {"image/png", false},
	".jpg":   {"image/jpeg", false},
	".jpeg":  {"image/jpeg", false},
	".gif":   {"image/gif", false},
	".webp":  {"image/webp", false},
	".avif":  {"image/avif", false},
	".woff2": {"font/woff2", false},
}

// ContentType returns the Content-Type the site serves name with, and false
// if the site does not publish files of that kind.
func ContentType(name string) (string, bool) {
	t, ok := fileTypes[strings.ToLower(path.Ext(name))]
	return t.contentType, ok
}

// Compressible reports whether precompressed variants of name are worth
// building.
func Compressible(name string) bool {
	return fileTypes[strings.ToLower(path.Ext(name))].compress
}
