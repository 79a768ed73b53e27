# Monograph — `make run` to try it, `make test` for the whole suite, `make build` for bin/monograph.
# Every target installs what it needs (npm packages of the web admin, Debian's headless chromium for
# the browser tests) and does nothing when it is already there.

GO        ?= go
# Tests start FerretDB (a test-only dependency: the MongoDB-protocol stand-in for the
# MongoDB adapter) in a process of its own: neither bin/monograph nor any test binary links
# it. ferretdb_no_postgresql leaves its PostgreSQL backend out of that command
# (internal/mongostore/mongotest/ferretdbserver), which go vet checks too.
# nomsgpack leaves gin's MessagePack codec (github.com/ugorji/go/codec, the longest package of
# a cold build to compile) out of every build: no route reads or writes MessagePack.
BUILDTAGS := nomsgpack
TESTTAGS  := ferretdb_no_postgresql $(BUILDTAGS)
# -race instruments our code and the Go libraries it calls, with two kinds of exception.
# SQLite's C source, translated to Go by modernc.org (the driver's lib, its libc and that
# libc's allocator), runs uninstrumented, as a cgo SQLite's C would: instrumented, opening a
# new store took 208 ms instead of 34 ms (17 ms without -race), and internal/sqlitestore's
# tests 47 s instead of 16 s. The image codecs and the deflate under PNG (image/...,
# golang.org/x/image/..., compress/flate and zlib, their checksums; klauspost's gzip also
# sums the buffers it reads with hash/crc32) run uninstrumented too:
# pixel loops on an image that one request decodes, resizes and encodes alone, where every
# pixel access was a call into the race runtime (internal/e2e alone 177 s -> 131 s).
# klauspost/compress (delivery's pooled gzip buffers) and encoding/json stay instrumented:
# they touch memory our goroutines share.
RACE_OFF  := -race=false -d=checkptr=0
RACEFLAGS := -race -gcflags='modernc.org/sqlite/lib=$(RACE_OFF)' \
             -gcflags='modernc.org/libc/...=$(RACE_OFF)' -gcflags='modernc.org/memory=$(RACE_OFF)' \
             -gcflags='image/...=$(RACE_OFF)' -gcflags='golang.org/x/image/...=$(RACE_OFF)' \
             -gcflags='compress/flate=$(RACE_OFF)' -gcflags='compress/zlib=$(RACE_OFF)' \
             -gcflags='hash/crc32=$(RACE_OFF)' -gcflags='hash/adler32=$(RACE_OFF)'
BIN       := bin/monograph
DATA      ?= ./data
ADDR      ?= 127.0.0.1:8080
WEB       := web-admin
# The admin's API types are generated from the OpenAPI document at build (npm run gen:api).
WEB_SRC   := $(shell find $(WEB)/src $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json -type f -not -name '*.gen.ts' 2>/dev/null) \
             internal/httpapi/openapi.json
CLIENT    := clients/typescript
CLIENT_SRC := $(shell find $(CLIENT)/src -name '*.ts' -not -path '*/generated/*' 2>/dev/null) $(CLIENT)/package.json $(CLIENT)/tsconfig.build.json
SITE      := examples/site

.PHONY: build run test test-go test-web test-browser test-client test-site site site-serve bench fuzz clean

## build: the server with the web admin embedded → bin/monograph
build: $(WEB)/dist/index.html
	$(GO) build -tags "webadmin $(BUILDTAGS)" -o $(BIN) ./cmd/monograph

## run: build, then serve on the embedded store in ./data with demo users and sample pages
run: build
	./$(BIN) serve --demo --data $(DATA) --addr $(ADDR)

## test: everything CI runs — Go tests (with -race), web-admin unit tests, browser tests,
## the TypeScript client's tests and the example site's tests
test: test-go test-web test-browser test-client test-site

test-go:
	$(GO) vet -tags "$(TESTTAGS)" ./...
	@echo "== on the embedded store (SQLite); the shared store suite also runs on the MongoDB adapter"
	$(GO) test $(RACEFLAGS) -tags "$(TESTTAGS)" -timeout 12m ./...
	@echo "== the services and end-to-end tests again on the MongoDB adapter, against a FerretDB server"
	MONOGRAPH_TEST_STORE=ferretdb-server $(GO) test -tags "$(TESTTAGS)" -timeout 8m \
		./internal/editorial/ ./internal/reviews/ ./internal/webhook/ ./internal/e2e/

test-web: $(WEB)/node_modules/.installed
	cd $(WEB) && npm run --silent typecheck && npm test --silent

test-browser: build
	E2E_STRICT=1 MONOGRAPH_BIN=$(CURDIR)/$(BIN) scripts/e2e

## test-client: the TypeScript client (types generated from the OpenAPI document): type check,
## unit tests against recorded answers, integration tests against bin/monograph
test-client: $(CLIENT)/dist/index.js build
	cd $(CLIENT) && npx tsc --noEmit -p . && npm test --silent && MONOGRAPH_BIN=$(CURDIR)/$(BIN) npm run --silent test:integration

## test-site: the example website: type check against the client, unit tests, browser test
test-site: $(CLIENT)/dist/index.js $(SITE)/node_modules/.installed build
	MONOGRAPH_BIN=$(CURDIR)/$(BIN) scripts/site-e2e

## site: the example website (examples/site) built from the server at http://$(ADDR)
site: $(CLIENT)/dist/index.js $(SITE)/node_modules/.installed
	cd $(SITE) && MONOGRAPH_URL=http://$(ADDR) npm run --silent build

## site-serve: register the site's webhook (demo admin) and serve it on 127.0.0.1:4321
site-serve: site
	cd $(SITE) && MONOGRAPH_URL=http://$(ADDR) npm run --silent register-webhook
	cd $(SITE) && MONOGRAPH_URL=http://$(ADDR) npm run --silent serve

## bench: delivery throughput against a reference Go server (wrk), see scripts/bench
bench:
	scripts/bench

## fuzz: run the fuzzers for a while (they also run their seed corpus in `make test`)
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzRenderMarkdown -fuzztime=60s ./internal/content/
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=60s ./internal/strictjson/

$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SRC)
	cd $(WEB) && npm run --silent build

$(CLIENT)/node_modules/.installed: $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund
	touch $@

# The client's types are generated from the server's OpenAPI document by every build.
$(CLIENT)/dist/index.js: $(CLIENT)/node_modules/.installed $(CLIENT_SRC) internal/httpapi/openapi.json
	cd $(CLIENT) && npm run --silent build

$(SITE)/node_modules/.installed: $(SITE)/package-lock.json
	cd $(SITE) && npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf bin $(WEB)/dist $(CLIENT)/dist $(SITE)/dist
