# sa build. Targets echo what they do; `make help` lists them.

GO        ?= go
BIN       := bin
BUILD     := build
PLUGINS   := $(BUILD)/plugins
TOOLS     := $(CURDIR)/.tools
FUZZTIME  ?= 20s
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# Code generation tools, pinned; installed from the Go module proxy into .tools.
BUF_VERSION                 := v1.75.0
PROTOC_GEN_GO_VERSION       := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION  := v1.6.1

# Go plugins: plugins/<kind>/<name> builds to sa-<kind>-<name>.
GO_PLUGINS := $(patsubst %/main.go,%,$(wildcard plugins/parser/*/main.go plugins/output/*/main.go plugins/app/*/main.go))
PY_PLUGIN  := plugins/examples/python-output
# The go-plugin part of every Python plugin, kept once with the scaffold.
PY_COMMON  := host/install/scaffold/templates/python/common

# make package: release archives and an index.json, signed with SIGNING_KEY
# (a key from `sa plugin keygen`) when it is set.
DIST        := $(BUILD)/dist
SIGNING_KEY ?=

.PHONY: help all build plugins package emulators proto proto-check tools test bench lint fmt fuzz run demo clean

help:
	@echo "make run      build sa and its plugins, run sa serve with sample data flowing to a sample output"
	@echo "make test     run every test (Go module, SDK module, plugins)"
	@echo "make build    build bin/sa"
	@echo "make plugins  build and register every plugin under $(PLUGINS)"
	@echo "make package  release archives of every plugin + index.json in $(DIST) (SIGNING_KEY=file signs them)"
	@echo "make proto    lint the protocol and regenerate sdk/gen"
	@echo "make bench    run the benchmarks"
	@echo "make lint     vet, gofmt check, buf lint"
	@echo "make fmt      gofmt everything"
	@echo "make fuzz     run every fuzz target for FUZZTIME ($(FUZZTIME)) each"

all: build plugins

build:
	@echo "==> build $(BIN)/sa"
	@$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/sa ./cmd/sa

plugins: build
	@echo "==> build Go plugins into $(PLUGINS)"
	@set -e; for p in $(GO_PLUGINS); do \
		kind=$$(basename $$(dirname $$p)); name=$$(basename $$p); \
		mkdir -p $(PLUGINS)/$$kind/$$name; \
		$(GO) build -o $(PLUGINS)/$$kind/$$name/sa-$$kind-$$name ./$$p; \
		$(BIN)/sa plugin register $(PLUGINS)/$$kind/$$name/sa-$$kind-$$name; \
	done
	@echo "==> build the Python example plugin"
	@rm -rf $(PLUGINS)/output/python-example && mkdir -p $(PLUGINS)/output/python-example
	@cp $(PY_PLUGIN)/plugin.py $(PY_PLUGIN)/plugin.json.in $(PY_PLUGIN)/gen.sh $(PY_COMMON)/goplugin.py $(PY_COMMON)/*.proto $(PLUGINS)/output/python-example/
	@if /usr/bin/python3 -c "import grpc, cryptography" 2>/dev/null && command -v protoc >/dev/null; then \
		SA_PROTO_DIR=$(CURDIR)/proto sh $(PLUGINS)/output/python-example/gen.sh >/dev/null && \
		$(BIN)/sa plugin register $(PLUGINS)/output/python-example; \
	else \
		rm -rf $(PLUGINS)/output/python-example; \
		echo "    skipped: needs Debian's python3-grpcio python3-protobuf python3-cryptography protobuf-compiler protobuf-compiler-grpc"; \
	fi

package: plugins
	@echo "==> sa plugin package every plugin into $(DIST)"
	@set -e; for m in $$(find $(PLUGINS) -name plugin.json | sort); do \
		$(BIN)/sa plugin package $(if $(SIGNING_KEY),--key $(SIGNING_KEY)) --out $(DIST) $$(dirname $$m) >/dev/null; \
	done; echo "    index: $(DIST)/index.json"

tools: $(TOOLS)/buf $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-go-grpc

$(TOOLS)/buf:
	@echo "==> install buf $(BUF_VERSION)"
	@GOBIN=$(TOOLS) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(TOOLS)/protoc-gen-go:
	@echo "==> install protoc-gen-go $(PROTOC_GEN_GO_VERSION)"
	@GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(TOOLS)/protoc-gen-go-grpc:
	@echo "==> install protoc-gen-go-grpc $(PROTOC_GEN_GO_GRPC_VERSION)"
	@GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)

proto: tools
	@echo "==> buf lint"
	@$(TOOLS)/buf lint
	@echo "==> buf generate into sdk/gen"
	@PATH=$(TOOLS):$$PATH $(TOOLS)/buf generate

# proto-check fails when the committed generated code is not what the
# committed .proto files and pinned generators produce.
proto-check: proto
	@echo "==> check sdk/gen is current"
	@git diff --exit-code --stat -- sdk/gen || (echo "sdk/gen is stale: run make proto and commit" && exit 1)
	@test -z "$$(git status --porcelain -- sdk/gen)" || (echo "sdk/gen has untracked files: run make proto and commit" && exit 1)

# emulators installs the local AWS API implementations tests run against
# (dynalite, kinesalite) from npm; tests skip what is missing unless
# SA_REQUIRE_AWS_EMULATORS=1.
emulators: test/emulators/node_modules/.installed

test/emulators/node_modules/.installed: test/emulators/package.json test/emulators/package-lock.json
	@if command -v npm >/dev/null; then \
		echo "==> npm ci (AWS API emulators for tests)"; \
		cd test/emulators && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "    skipped AWS API emulators: needs node and npm"; \
	fi

test: plugins emulators
	@$(MAKE) --no-print-directory demo
	@echo "==> go test (module sa)"
	@$(GO) test -count=1 ./...
	@echo "==> go test (module sa/sdk)"
	@cd sdk && $(GO) test -count=1 ./...
	@echo "==> sa plugin test on every built plugin"
	@set -e; for m in $$(find $(PLUGINS) -name plugin.json | sort); do \
		$(BIN)/sa plugin test $$(dirname $$m) >/dev/null || $(BIN)/sa plugin test $$(dirname $$m); \
	done; echo "    all plugins pass"

bench:
	@echo "==> go test -bench"
	@$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@echo "==> go vet"
	@$(GO) vet ./... && cd sdk && $(GO) vet ./...
	@echo "==> gofmt"
	@test -z "$$(gofmt -l cmd host internal plugins sdk)" || (gofmt -l cmd host internal plugins sdk && exit 1)
	@echo "==> buf lint"
	@$(TOOLS)/buf lint

fmt:
	@echo "==> gofmt -w"
	@gofmt -w cmd host internal plugins sdk

fuzz:
	@echo "==> fuzz every target for $(FUZZTIME)"
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "    $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# run writes a home under build/demo-home (once), starts sa serve, sends the
# sample logs and shows the alerts delivered to the sample output, then
# keeps serving until Ctrl-C.
run: plugins
	@echo "==> sa serve on build/demo-home with sample data"
	@scripts/demo.sh

# demo is run without staying up, on a fresh home and port: the check that
# the README's first command works.
demo: plugins
	@echo "==> demo check: sample logs to the sample output"
	@rm -rf $(BUILD)/demo-check && SA_DEMO_HOME=$(BUILD)/demo-check SA_DEMO_LISTEN=127.0.0.1:0 DEMO_EXIT=1 scripts/demo.sh

clean:
	@echo "==> rm -rf $(BIN) $(BUILD)"
	@rm -rf $(BIN) $(BUILD)
