# Raft playground. The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is a step of those two, or a longer run (campaign, bench).

GO      ?= go
SHELL   := /bin/bash
GOBIN   := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2

.PHONY: run test lint unit race fuzz-smoke campaign bench tools

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
	$(GO) test -race ./raft/...

## ---- the two commands ------------------------------------------------------

test: lint race unit
