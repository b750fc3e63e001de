# IRM — the two commands a new user needs are "make run" and "make test".
GO ?= go

.PHONY: run test bench fuzz generate check-generate vet build axe

## run: find or start PostgreSQL, migrate, load demo data, print tokens, serve on :8080
run:
	$(GO) run ./cmd/irm dev

## test: the whole test suite against real PostgreSQL, found or started as for make run
## (IRM_TEST_DATABASE_URL, if set, names the server's maintenance database instead)
test: vet check-generate axe
	@url="$${IRM_TEST_DATABASE_URL:-$$($(GO) run ./cmd/irm devdb 2>.devdb.log)}" || { cat .devdb.log; exit 1; }; \
	echo "testing against $$url"; \
	IRM_TEST_DATABASE_URL="$$url" $(GO) test -count=1 -timeout 45m ./...

## axe: axe-core (npm) for the browser tests' accessibility checks, installed once under .cache/axe
AXE = .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	mkdir -p .cache/axe && cd .cache/axe && npm install --no-audit --no-fund --silent axe-core@4.14.1

## bench: benchmarks, printed as a table, against PostgreSQL found or started as for make test.
## The aggregates benchmark seeds 193 States × 10 cycles once ("irm seed") into databases it keeps,
## and writes the plans of its queries to bench-plans.txt (IRM_BENCH_STATES/IRM_BENCH_CYCLES: smaller).
## One package at a time (-p 1): benchmarks of two packages running together share the cores and skew both.
bench:
	@url="$${IRM_TEST_DATABASE_URL:-$$($(GO) run ./cmd/irm devdb 2>.devdb.log)}" || { cat .devdb.log; exit 1; }; \
	IRM_TEST_DATABASE_URL="$$url" $(GO) test -p 1 -run '^$$' -bench . -benchmem -count=1 -timeout 90m ./... | tee bench.txt | $(GO) run ./cmd/benchtable

## fuzz: a minute of fuzzing over answer validation, one over answer decoding (against the
## token walk it replaced), one over the GraphQL layer and one over its duplicate-key check
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s ./internal/questionnaire
	$(GO) test -run '^$$' -fuzz FuzzDecodeAnswers -fuzztime 60s ./internal/questionnaire
	$(GO) test -run '^$$' -fuzz FuzzGraphQL -fuzztime 60s ./graph
	$(GO) test -run '^$$' -fuzz FuzzKeepDuplicates -fuzztime 60s ./graph

build:
	$(GO) build -o irm ./cmd/irm

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change the files above"; exit 1; }

generate:
	$(GO) generate ./...

## check-generate: fail when go generate would change the committed code
GENERATED = graph/generated.go graph/model/models_gen.go $(wildcard graph/*.resolvers.go)
check-generate:
	@before=$$(cat $(GENERATED) | sha256sum); $(GO) generate ./...; \
	after=$$(cat $(GENERATED) | sha256sum); \
	test "$$before" = "$$after" || { echo "go generate changed the generated code: commit the result"; exit 1; }
