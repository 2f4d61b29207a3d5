# Skillgate. `make run` and `make test` are all the set-up there is: both find
# or start PostgreSQL (see server/scripts/database-url.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BIN       := bin/skillgate
DBURL     := server/scripts/database-url.sh
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
# A count, not a duration: Go 1.26's fuzz coordinator can report a bare "context deadline exceeded" when a
# duration-based -fuzztime ends while a worker is mid-input (golang/go#75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME  ?= 2000x
# CPU workers `make test-stress` keeps busy beside the suite (2 per core on the 2-core development machine).
STRESS_CPU ?= 4
# A package's tests fail only when truly stuck: a busy machine (load 20 on 2 cores) takes routing's model tests past go test's 10-minute default.
TEST_TIMEOUT ?= 40m
# package:target pairs for `make fuzz` (go test -fuzz runs one target per invocation).
FUZZ_TARGETS := catalog:FuzzParseModule catalog:FuzzLoadProgram catalog:FuzzRender \
                quiz:FuzzParseQuiz quiz:FuzzParseGIFT quiz:FuzzParseMoodleXML quiz:FuzzParseAiken \
                roleplay:FuzzParseScenario

WEB_SRC   := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)

.PHONY: help run build test go-test test-stress stress-ng fuzz web-test e2e lint bench bench-scale db-url db-stop chromium poppler clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-11s %s\n", $$1, $$2}'

build: frontend/dist/index.html ## build the web app and the server binary (bin/skillgate)
	$(GO) build -o $(BIN) ./server/cmd/skillgate

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(WEB_SRC)
	cd frontend && npm run --silent build && touch dist/.gitkeep

# The database comes first (found, started or created), so a problem with it shows before the build.
run: ## migrate, import the library, seed the demo logins and demo center (not in production), serve on :8080
	@DATABASE_URL="$$($(DBURL) skillgate)"; export DATABASE_URL; \
	 $(MAKE) --no-print-directory build && \
	 ./$(BIN) migrate up >/dev/null && \
	 ./$(BIN) import content quizzes | tail -n 1 && \
	 if [ "$${SKILLGATE_ENV:-development}" != production ]; then ./$(BIN) user seed-demo; fi && \
	 ./$(BIN) serve --no-migrate

test: go-test fuzz web-test e2e ## everything: Go tests, a short fuzz run, web unit tests, end-to-end tests in Chromium

go-test: poppler ## go vet, then every Go test with the race detector against real PostgreSQL
	@DATABASE_URL="$$($(DBURL) postgres)"; export DATABASE_URL; \
	 $(GO) vet ./... && \
	 $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

test-stress: stress-ng ## the Go suite twice in a row while stress-ng keeps every core busy, printing each run's wall time
	@DATABASE_URL="$$($(DBURL) postgres)"; export DATABASE_URL; \
	 stress-ng --cpu $(STRESS_CPU) --timeout 0 --quiet & stress=$$!; \
	 shell=$$$$; ( while kill -0 $$shell 2>/dev/null; do sleep 1; done; kill -TERM $$stress 2>/dev/null ) & watchdog=$$!; \
	 trap 'kill -TERM $$stress $$watchdog 2>/dev/null || true; wait $$stress 2>/dev/null || true' EXIT; \
	 trap 'exit 130' INT TERM HUP; \
	 echo "test-stress: stress-ng --cpu $(STRESS_CPU) is running (pid $$stress)"; \
	 for run in 1 2; do \
	   start=$$(date +%s); status=0; \
	   $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./... || status=$$?; \
	   echo "test-stress: run $$run $$( [ $$status = 0 ] && echo passed || echo FAILED ) in $$(( $$(date +%s) - start )) s (load average $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	   [ $$status = 0 ] || exit $$status; \
	 done

stress-ng: ## install Debian's stress-ng for make test-stress, if missing
	@command -v stress-ng >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null; \
	  else echo "make test-stress needs stress-ng: sudo apt-get install stress-ng"; exit 1; fi; }

fuzz: ## fuzz every parser and the renderer for FUZZTIME each (default 2000x, i.e. 2,000 inputs); the seed corpora are in testdata/fuzz
	@for t in $(FUZZ_TARGETS); do \
	   pkg=$${t%%:*}; name=$${t##*:}; \
	   echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	   out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s -parallel 2 ./server/internal/$$pkg 2>&1) || \
	     { echo "$$out" | tail -n 30; echo "fuzz: $$name failed; the input is saved under server/internal/$$pkg/testdata/fuzz/$$name"; exit 1; }; \
	 done

# The API types (frontend/src/api/schema.d.ts) are generated from the OpenAPI document; a stale copy fails here.
web-test: frontend/node_modules/.package-lock.json ## check the generated API types, type-check and unit-test the web app (Vitest)
	@tmp=$$(mktemp --suffix=.d.ts); trap 'rm -f "$$tmp"' EXIT; \
	 (cd frontend && node scripts/gen-api.mjs "$$tmp") && \
	 diff -u frontend/src/api/schema.d.ts "$$tmp" || { \
	   echo "web-test: frontend/src/api/schema.d.ts is not what the OpenAPI document gives; regenerate it: cd frontend && npm run gen:api"; exit 1; }
	cd frontend && npx tsc -b && npx vitest run

e2e: build chromium ## end-to-end tests: Playwright drives headless Chromium against a real server
	@DATABASE_URL="$$($(DBURL) postgres)"; export DATABASE_URL; \
	 cd frontend && npx playwright test

poppler: ## install Debian's poppler-utils (pdftoppm: the certificate test reads the QR code off the rendered page), if missing
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "poppler: pdftoppm is missing (sudo apt-get install poppler-utils); the certificate test then checks the PDF's text only"; fi; }

chromium: ## install Debian's Chromium for the end-to-end tests, if missing
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the end-to-end tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

lint: ## gofmt, go vet, staticcheck and govulncheck
	@test -z "$$(gofmt -l server migrations)" || { gofmt -l server migrations; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if [ -n "$${SKIP_VULNCHECK:-}" ]; then echo "govulncheck: SKIPPED (SKIP_VULNCHECK is set)"; \
	 else $(GO) run $(GOVULNCHECK) ./... || { echo "govulncheck failed (it needs https://vuln.go.dev; offline, SKIP_VULNCHECK=1 skips it)"; exit 1; }; fi

bench: ## load tests through the real server: quiz submissions, the eligibility gate, module reads and rosters, the re-decide job (seeded 10,000-agent center)
	@DATABASE_URL="$$($(DBURL) postgres)"; export DATABASE_URL; \
	 $(GO) test -run '^$$' -bench QuizSubmissions -benchtime 1x -count 1 ./server/internal/quiz/bench && \
	 $(GO) test -run '^$$' -bench 'Eligibility$$' -benchtime 1x -count 1 -timeout 10m ./server/internal/routing/bench && \
	 $(GO) test -run '^$$' -bench EligibilityOverload -benchtime 1x -count 1 -timeout 10m ./server/internal/routing/bench && \
	 $(GO) test -run '^$$' -bench Reads -benchtime 1x -count 1 -timeout 10m ./server/internal/readbench && \
	 $(GO) test -run '^$$' -bench 'Sweep$$' -benchtime 1x -count 1 -timeout 10m ./server/internal/routing/bench

bench-scale: ## the eligibility gate open loop at 2,000 checks/s over 1,000, 10,000 and 100,000 agents, the server its own process (p99, its CPU and RSS, baseline; seeding 100,000 takes minutes)
	@DATABASE_URL="$$($(DBURL) postgres)"; export DATABASE_URL; \
	 $(GO) test -run '^$$' -bench EligibilityScale -benchtime 1x -count 1 -timeout 30m ./server/internal/routing/bench

db-url: ## print the development DATABASE_URL (starting PostgreSQL if needed)
	@$(DBURL) skillgate

db-stop: ## stop the private PostgreSQL cluster under .data/, if one runs
	@if [ -f .data/postgres/postmaster.pid ]; then \
	   if [ "$$(id -u)" = 0 ]; then runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D .data/postgres stop; \
	   else pg_ctl -D .data/postgres stop; fi; \
	 else echo "no private cluster is running"; fi

clean: ## remove build output (keeps .data/)
	rm -rf bin
