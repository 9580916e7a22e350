package server

import "net/http"

// ContentSecurityPolicy is sent with every response. Scripts come only from
// the site itself, plus 'wasm-unsafe-eval' so WebAssembly can be compiled;
// there is no 'unsafe-inline' for scripts or styles, so the page must not use
// inline <script>, <style>, style="" or on*="" attributes (the site build
// rejects them). frame-ancestors * lets any course site embed the page.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"connect-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'self'; " +
	"frame-ancestors *"

// Cache-Control values, one per kind of response.
const (
	// cacheImmutable is for content-hashed names: a new version gets a new
	// name, so a copy never needs checking.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheRevalidate is for names that stay put (the HTML pages, images):
	// keep a copy but ask every time, which costs a 304 when nothing changed.
	cacheRevalidate = "no-cache"
	// cacheNever is for errors and live answers such as the health check.
	cacheNever = "no-store"
	// cacheOEmbed lets consumers reuse an oEmbed answer for an hour.
	cacheOEmbed = "public, max-age=3600"
)

// setSecurityHeaders adds the headers every response carries, pages, files,
// API answers and errors alike. X-Frame-Options is left out on purpose:
// framing is allowed, and CSP frame-ancestors says so.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// cacheControlFor returns the caching rule for a site file.
func cacheControlFor(name string) string {
	if IsHashed(name) {
		return cacheImmutable
	}
	return cacheRevalidate
}
