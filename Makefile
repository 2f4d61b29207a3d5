# Skillgate. `make run` and `make test` are all the set-up there is: both find
# or start PostgreSQL (see server/scripts/database-url.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BIN       := bin/skillgate
DBURL     := server/scripts/database-url.sh
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@2025.1.1

.PHONY: help run build test lint bench db-url db-stop clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-8s %s\n", $$1, $$2}'

build: ## build the server binary into bin/
	$(GO) build -o $(BIN) ./server/cmd/skillgate

run: build ## migrate, seed the demo logins (not in production) and serve on :8080
	@export DATABASE_URL="$$($(DBURL) skillgate)"; \
	 ./$(BIN) migrate up >/dev/null && \
	 if [ "$${SKILLGATE_ENV:-development}" != production ]; then ./$(BIN) user seed-demo; fi && \
	 ./$(BIN) serve --no-migrate

test: ## go vet, then every test with the race detector against real PostgreSQL
	@export DATABASE_URL="$$($(DBURL) postgres)"; \
	 $(GO) vet ./... && \
	 $(GO) test -race -count=1 ./...

lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l server migrations)" || { gofmt -l server migrations; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

db-url: ## print the development DATABASE_URL (starting PostgreSQL if needed)
	@$(DBURL) skillgate

db-stop: ## stop the private PostgreSQL cluster under .data/, if one runs
	@if [ -f .data/postgres/postmaster.pid ]; then \
	   if [ "$$(id -u)" = 0 ]; then runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D .data/postgres stop; \
	   else pg_ctl -D .data/postgres stop; fi; \
	 else echo "no private cluster is running"; fi

clean: ## remove build output (keeps .data/)
	rm -rf bin
