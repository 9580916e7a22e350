# Raft playground. The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is a step of those two, or a longer run (campaign, bench).

GO      ?= go
SHELL   := /bin/bash
GOBIN   := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2

.PHONY: run test lint unit race fuzz campaign bench tools

## ---- core, simulator, lint ------------------------------------------------

tools:
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

unit:
	$(GO) test ./...

race:
	$(GO) test -race ./...

# Every fuzzer for FUZZTIME each. `make test` runs their seed corpora
# (testdata/fuzz) as ordinary tests; this explores beyond them. Each new
# input that widens coverage is minimized in at most FUZZMINIMIZE runs:
# by default (60 s each) most fuzzers spent most of their minute
# minimizing, not fuzzing (FuzzDecodeSnapshotData: 144k runs in the first
# 3 s, then none for the rest of a 20 s run; with 100x, 690k in 15 s).
FUZZTIME ?= 1m
FUZZMINIMIZE ?= 100x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzStep$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft
	$(GO) test -run '^$$' -fuzz '^FuzzCluster$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeMembers$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeSnapshotData$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft/lock
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./wasm/api
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRecord$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft/disk
	$(GO) test -run '^$$' -fuzz '^FuzzRecover$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft/disk
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeMessage$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft/tcp
	$(GO) test -run '^$$' -fuzz '^FuzzFrames$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./raft/tcp

# The long randomized fault campaign: SEEDS seeds per cluster size, each
# seed drawing PreVote and CheckQuorum, leadership transfers and membership
# changes (servers added and removed, the leader too) among the faults.
SEEDS ?= 10000
campaign:
	@for peers in 3 5 7; do \
		$(GO) run ./cmd/raftsim -campaign -mix-elections -transfers -membership -seeds $(SEEDS) -peers $$peers || exit 1; \
	done

## ---- serving: site build, localhost server, dist, Cloudflare Workers -------
# web/ + the wasm + Go's wasm_exec.js -> build/site (hashed names, .br/.gz),
# which the server embeds, dist/ copies, and Workers serves as assets.
# Every step is skipped when its inputs have not changed, so a second
# `make run` starts at once. See README: "Static hosting and embedding" and
# "Deploy to Cloudflare Workers".

WASM_EXEC  := $(shell $(GO) env GOROOT)/lib/wasm/wasm_exec.js
WEB_FILES  := $(shell find web -type f 2>/dev/null)
SERVER_GO  := $(shell find server cmd/playground cmd/sitebuild -name '*.go' -not -path '*/node_modules/*' 2>/dev/null)
WORKER_DIR := server/worker
NPM_CI_TIMEOUT ?= 300

.PHONY: site dist worker worker-test serve-test bench-server FORCE

FORCE:

# go build runs every time (its cache makes that quick and it alone knows
# what ./wasm imports); the file is replaced only when its bytes change,
# so the slow brotli step after it does not rerun for nothing.
build/raftplay.wasm: FORCE
	@mkdir -p build
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@.new ./wasm
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# The search worker's wasm (wasm/searcher: the simulator again, with
# porcupine), which the page loads only when a student asks for a search.
build/raftplay-search.wasm: FORCE
	@mkdir -p build
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@.new ./wasm/searcher
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

build/site.stamp: build/raftplay.wasm build/raftplay-search.wasm $(WASM_EXEC) $(WEB_FILES) $(SERVER_GO)
	rm -rf build/site build/worker/public
	$(GO) run ./cmd/sitebuild -web web -wasm build/raftplay.wasm -wasm-exec $(WASM_EXEC) \
		-search-wasm build/raftplay-search.wasm -out build/site -workers-out build/worker/public
	@touch $@

# go:embed can only read inside server/embedded/, so the site is copied
# there (its committed .gitignore stays).
build/embedded.stamp: build/site.stamp
	find server/embedded/site -mindepth 1 ! -name .gitignore -delete
	cp -R build/site/. server/embedded/site/
	@touch $@

site: build/embedded.stamp

build/playground: build/embedded.stamp FORCE
	$(GO) build -o $@ ./cmd/playground

# Loopback only: PORT=9000 make run picks the port, ADDR=host:port the
# address; PUBLIC=1 listens on every interface, PUBLIC_URL=https://... is
# the address oEmbed answers point at (default: the one printed).
run: build/playground
	./build/playground $(if $(ADDR),-addr $(ADDR)) $(if $(PUBLIC),-public) $(if $(PUBLIC_URL),-public-url $(PUBLIC_URL))

# The static site, checked from a plain file server under a sub-path.
dist: build/site.stamp
	rm -rf dist
	cp -R build/site dist
	$(GO) run ./cmd/sitecheck -dir dist -prefix /courses/raft/

build/worker.stamp: build/site.stamp $(SERVER_GO) go.mod
	rm -rf build/worker/bundle
	$(GO) run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o build/worker/bundle
	GOOS=js GOARCH=wasm $(GO) vet ./server/worker
	GOOS=js GOARCH=wasm $(GOBIN)/staticcheck ./server/worker
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o build/worker/bundle/app.wasm ./server/worker
	@touch $@

worker: tools build/worker.stamp

# Wrangler from the committed lockfile; install scripts are not needed
# (workerd's binary comes as a package) and stay off.
$(WORKER_DIR)/node_modules/.installed: $(WORKER_DIR)/package-lock.json
	cd $(WORKER_DIR) && timeout $(NPM_CI_TIMEOUT) npm ci --ignore-scripts
	@touch $@

worker-test: worker $(WORKER_DIR)/node_modules/.installed
	$(GO) run ./server/worker/smoketest -dir $(WORKER_DIR)

serve-test: dist worker-test
	$(GO) test -race ./server/... ./cmd/...

bench-server: build/site.stamp
	$(GO) run ./cmd/servebench -site build/site -n 20000 -c 64

## ---- benchmarks (issue 5): BENCHMARKS.md -----------------------------------
# bench/ is a Go module of its own, so the main module never depends on the
# yardstick (go.etcd.io/raft/v3). `make bench` measures and rewrites
# BENCHMARKS.md (machine, Go version, date, commands); run it on a quiet
# machine. Sections: core (against etcd), sim (natively and in wasm under
# Node), page (headless Chromium, through e2e's perf tests: hence site and
# chromium), scale (peers, log length). BENCH_ROUNDS sets the rounds (tables
# show medians); BENCH_ONLY=core,sim refreshes those sections and keeps the
# others.
BENCH_ROUNDS ?= 5
BENCH_ONLY   ?=

.PHONY: bench-smoke

bench: tools site chromium
	cd bench && CHROMIUM=$(CHROMIUM) $(GO) run ./cmd/benchreport -rounds $(BENCH_ROUNDS) $(if $(BENCH_ONLY),-only $(BENCH_ONLY))

# Part of `make test`, so no benchmark can rot: lint the bench module, run
# its tests, every benchmark once on a tiny input, and the report generator
# on a tiny input (writing nothing; a second of frames in the browser).
# No time is checked.
bench-smoke: tools site chromium
	cd bench && $(GO) vet ./... && $(GOBIN)/staticcheck ./...
	cd bench && $(GO) test ./...
	cd bench && $(GO) test -run '^$$' -bench . -benchtime 100x ./...
	cd bench && CHROMIUM=$(CHROMIUM) $(GO) run ./cmd/benchreport -smoke -out - >/dev/null

## ---- browser end-to-end tests ----------------------------------------------
# e2e/ is a module of its own (chromedp stays out of the main module, and
# `go test ./...` needs no browser). Chromium is installed only when missing;
# without it the tests fail, they never skip. Screenshots: test-artifacts/.

CHROMIUM ?= /usr/bin/chromium

.PHONY: chromium browser-test browser-perf screenshot

chromium:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The README's picture, docs/screenshot.png, made by the page itself.
screenshot: site chromium
	cd e2e && CHROMIUM=$(CHROMIUM) $(GO) test -tags docs -run '^TestREADMEScreenshot$$' -count=1 ./...

# The suite takes 6 to 14 minutes on a busy 2-core machine: more than go
# test's default limit of 10.
browser-test: tools site dist chromium
	cd e2e && $(GO) vet ./... && $(GO) vet -tags docs ./... && $(GOBIN)/staticcheck ./...
	cd e2e && CHROMIUM=$(CHROMIUM) $(GO) test -count=1 -timeout 20m ./...

# Load time, frame rate and main-thread load with 9 peers, memory after an
# hour of simulated time: measured and printed, not asserted.
browser-perf: tools site chromium
	cd e2e && $(GO) vet -tags perf ./...
	cd e2e && CHROMIUM=$(CHROMIUM) $(GO) test -tags perf -run Perf -count=1 -v -timeout 20m ./...

## ---- WebAssembly: wasm/ and its API (wasm/API.md) -----------------------------
# The wasm itself is built by build/raftplay.wasm above. wasm-test runs the
# tests of wasm/ under Node with Go's go_js_wasm_exec. Native Go first writes
# the traces of a few definitions (peers inline); the wasm tests replay them
# through the page's API (peers on goroutines) and must get the same bytes.
# TestLongRunMemory runs in a process of its own: a wasm's memory keeps the
# high-water mark of every test run before it in the same process.

WASM_GOEXEC  := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec
WASM_TRACES  := $(CURDIR)/build/native-traces.json

.PHONY: wasm wasm-test wasm-size

wasm: build/raftplay.wasm

wasm-test: tools
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	GOOS=js GOARCH=wasm $(GOBIN)/staticcheck ./wasm/...
	@mkdir -p build
	RAFTPLAY_TRACES=$(WASM_TRACES) $(GO) test -count=1 -run '^TestNativeTraces$$' ./wasm/api
	RAFTPLAY_TRACES=$(WASM_TRACES) GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_GOEXEC) -skip '^TestLongRunMemory$$' ./wasm/...
	set -o pipefail; GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_GOEXEC) -run '^TestLongRunMemory$$' -v ./wasm | grep -v '^=== RUN'

# Download size of the wasm: raw, gzip -9 and brotli -q 11 (as sitebuild).
wasm-size: build/raftplay.wasm build/raftplay-search.wasm
	@for f in build/raftplay.wasm build/raftplay-search.wasm; do echo "$$f: raw $$(stat -c%s $$f), gzip $$(gzip -9 -c $$f | wc -c), brotli $$(brotli -q 11 -c $$f | wc -c) bytes"; done

## ---- raftlock processes ------------------------------------------------------
# cmd/raftlock's tests that run real processes (build tag process): the
# README's two blocks exactly as written (they need ports 7001-7003, 8001-8003,
# 7011-7014 and 8011-8014),
# and the Jepsen-style test, with three and then five servers (about a
# minute in all). RAFTLOCK_SEED=N replays a run's nemesis choices.

.PHONY: process-test

process-test: tools
	$(GO) vet -tags process ./cmd/raftlock
	$(GOBIN)/staticcheck -tags process ./cmd/raftlock
	$(GO) test -tags process -count=1 -timeout 10m ./cmd/raftlock

## ---- the two commands ------------------------------------------------------

test: lint race unit serve-test bench-smoke browser-test wasm-test process-test
