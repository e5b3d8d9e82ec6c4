# kitsune — the two commands that matter: `make run` and `make test`.
GO      ?= go
BIN     := bin/kitsune
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.build=$(VERSION)
THRIFT_OUT := thrift/gen
# duckdb_arrow compiles duckdb-go's Arrow interface: the local engine answers
# Arrow results from DuckDB's own Arrow output (without the tag it builds,
# and offers Spark clients columnar results only).
TAGS := duckdb_arrow
export GOFLAGS := -tags=$(TAGS)

.PHONY: build run test unit e2e soak generate docs lint bench corpus corpus-update deps clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kitsune

# Starts the gateway on the embedded defaults: local DuckDB engines,
# 127.0.0.1:10009 (binary) and :10010 (HTTP), work directory ./work.
run: build
	./$(BIN) server $(ARGS)

# Installs what the tests need (idempotent), then runs every test: the unit
# tier and the e2e tier (files tagged e2e: real ZooKeeper, KDC, slapd,
# PostgreSQL, clients, engine processes).
# Fuzz targets run by execution count (about 5 s each on this machine), not
# by a wall-clock -fuzztime: Go 1.26's fuzz coordinator can race a time
# deadline and fail with a bare "context deadline exceeded" (golang/go#75804).
test: deps build
	$(GO) vet -tags=$(TAGS),e2e ./...
	$(GO) test -count=1 -tags=$(TAGS),e2e -timeout 20m ./...
	$(GO) test -run '^$$' -fuzz FuzzServeHandshake -fuzztime 100000x ./thrift/sasl
	$(GO) test -run '^$$' -fuzz FuzzBinaryFrames -fuzztime 8000x ./thrift/serve
	$(GO) test -run '^$$' -fuzz FuzzKerberosAccept -fuzztime 40000x ./auth
	$(GO) test -run '^$$' -fuzz FuzzRewrite -fuzztime 10000x ./engine/duckdb
	$(GO) test -run '^$$' -fuzz FuzzDecimalSpans -fuzztime 20000x ./engine/duckdb
	$(GO) test -run '^$$' -fuzz FuzzHTTPTransport -fuzztime 25000x ./thrift/serve
	$(GO) test -run '^$$' -fuzz FuzzRequestStructs -fuzztime 15000x ./thrift/serve
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 12000x ./conf
	$(GO) test -run '^$$' -fuzz FuzzParseURL -fuzztime 25000x ./beeline
	$(GO) test -run '^$$' -fuzz FuzzLDAPFilters -fuzztime 10000x ./auth
	$(GO) test -run '^$$' -fuzz FuzzWildcard -fuzztime 50000x ./authz
	$(GO) test -run '^$$' -fuzz FuzzDecide -fuzztime 20000x ./authz

# The soak and chaos run (e2e/soak_test.go) for DURATION: clients over binary
# and HTTP against two gateways while engines, gateways, ZooKeeper and
# PostgreSQL fail in turn; it prints statements, wrong results, hangs and
# errors by kind, then checks that processes, ZooKeeper nodes, store rows and
# open files return to their baselines. make test runs it for 60s.
DURATION ?= 30m
soak: deps
	KITSUNE_SOAK_DURATION=$(DURATION) $(GO) test -count=1 -tags=$(TAGS),e2e -timeout 2h -run '^TestSoak$$' -v ./e2e/

deps:
	bash scripts/install-test-deps.sh

# Unit tier: seconds, no external process.
unit:
	$(GO) test -count=1 ./...

# E2E tier alone: the tests that start real components and clients.
e2e: deps build
	$(GO) test -count=1 -tags=$(TAGS),e2e -timeout 20m -run . ./e2e/ ./auth/ ./discovery/zk/ ./session/store/ ./engine/

# Spark 4.1's documented function examples on the local engine: the match
# rate per function group (e2e/spark_corpus_test.go, docs/spark-sql.md);
# corpus-update rewrites the list of known different answers after a fix.
corpus: build
	$(GO) test -count=1 -tags=$(TAGS),e2e -run '^TestSparkFunctionCorpus$$' -v ./e2e/ | grep 'spark corpus'

corpus-update: build
	KITSUNE_CORPUS_UPDATE=1 $(GO) test -count=1 -tags=$(TAGS),e2e -run '^TestSparkFunctionCorpus$$' ./e2e/

# Regenerates the Thrift code from thrift/idl with Debian's thrift-compiler.
generate:
	command -v thrift >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends thrift-compiler)
	rm -rf $(THRIFT_OUT)/tcliservice
	thrift --gen go:package_prefix=github.com/kitsune-sql/kitsune/thrift/gen/,skip_remote -out $(THRIFT_OUT) thrift/idl/TCLIService.thrift
	gofmt -w $(THRIFT_OUT)

docs: build
	./$(BIN) conf docs > docs/configuration.md

lint:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet -tags=$(TAGS),e2e ./...
	GOFLAGS= $(GO) vet ./engine/...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags=$(TAGS),e2e $$($(GO) list ./... | grep -v /thrift/gen/)

# Prints figures and ratios (gateway vs direct to the engine); nothing is
# asserted. Go micro-benchmarks first, then the load tool against a live
# gateway.
# BENCH_ARGS passes flags (-sessions 10000, -rounds 12, …); PROFILE=1 writes
# the gateway's CPU, heap and block profiles under bench/out/.
BENCH_ARGS ?=
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1s ./engine/... ./thrift/...
	$(GO) run ./bench/cmd/kitsune-bench -kitsune $(BIN) $(if $(PROFILE),-profile bench/out) $(BENCH_ARGS)

clean:
	rm -rf bin work
