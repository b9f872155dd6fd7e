# rastro — build, run and test.
#   make build          bin/rastro
#   make run            build, then serve on 127.0.0.1:8080 (demo month seeded when the store is empty)
#   make test           tools check, gofmt, go vet, go test against a throwaway PostgreSQL
#                       and a throwaway two-shard ClickHouse cluster
#   make test TESTFLAGS='-v -run TestX'
#   make bench          every benchmark, once
#   make clean

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO        ?= go
BIN       := bin/rastro
TESTFLAGS ?=
CHROMIUM  ?= /usr/lib/chromium/chromium

# Go native fuzz targets: package and target. `make test` runs each briefly
# (FUZZ_BRIEF); `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS := ./internal/ingest:FuzzDecodeNeverPanicsAndKeepsItsBounds \
                ./internal/connectors/asterisk:FuzzQueueLogNeverPanics \
                ./internal/report:FuzzReportParametersAnswerRowsOrAParamError
FUZZ_BRIEF ?= 10s
FUZZTIME   ?= 2m

.PHONY: all build run test fmt-check vet tools bench clean fuzz fuzz-brief

all: build

build:
	$(GO) build -o $(BIN) ./cmd/rastro

run: build
	./$(BIN) serve --demo-if-empty

tools:
	scripts/ensure-tools.sh

fmt-check:
	@files="$$(git ls-files -co --exclude-standard -- '*.go' 2>/dev/null || find . -name '*.go' -not -path './vendor/*')"; \
	unformatted=""; \
	files="$$(for f in $$files; do if [[ -f "$$f" ]]; then echo "$$f"; fi; done)"; \
	if [[ -n "$$files" ]]; then unformatted="$$(echo "$$files" | xargs -d '\n' gofmt -l)"; fi; \
	if [[ -n "$$unformatted" ]]; then \
		echo "gofmt: these files are not formatted (fix with: gofmt -w FILE...):" >&2; \
		echo "$$unformatted" | sed 's/^/  /' >&2; \
		exit 1; \
	fi; \
	echo "gofmt: ok"

vet:
	$(GO) vet ./...

test: tools fmt-check vet fuzz-brief
	mkdir -p artifacts
	scripts/with-postgres.sh scripts/with-clickhouse.sh env RASTRO_CHROMIUM=$(CHROMIUM) $(GO) test -count=1 -timeout 60m $(TESTFLAGS) ./...

fuzz-brief:
	@for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZ_BRIEF) "$${t%%:*}" || exit 1; \
	done

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

clean:
	rm -rf bin artifacts
