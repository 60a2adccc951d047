# posturewatch — the two commands: `make run` and `make test`. Each does all the set-up it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export OPENCV_LOG_LEVEL := ERROR
export CGO_ENABLED ?= 1

BIN    := bin/posturewatch
MODEL  := models/movenet-lightning.onnx
GO     ?= go
ARGS   ?=
GOSRC  := $(shell find . -name '*.go' -not -path './bin/*' 2>/dev/null) go.mod go.sum $(shell find webui/static -type f 2>/dev/null) $(wildcard coach/*.json)

.PHONY: all deps deps-test models tfjs-ref test-models build run test test-go lint bench eval clean
all: build

## deps: install the Debian packages that are missing (OpenCV, compiler, model tools)
deps:
	@bash scripts/deps.sh build models

deps-test:
	@bash scripts/deps.sh build models test

## models: fetch @vladmandic/human once, convert MoveNet, BlazeFace and FaceMesh to ONNX, check their sha256
models: deps
	@bash models/setup.sh

## tfjs-ref: install @tensorflow/tfjs (pure JS) and the TF.js models into the cache once, for the TF.js reference test
tfjs-ref: models
	@bash models/tfjs-setup.sh

## test-models: the converter's unit tests (per op handler, refusals, the three graphs' digests)
test-models: deps
	PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m unittest discover -s models -p 'test_*.py'

$(BIN): $(GOSRC)
	@mkdir -p bin
	$(GO) build -o $(BIN) ./cmd/posturewatch

## build: the one binary, bin/posturewatch
build: deps $(BIN)

## run: set up, build and start the dashboard (ARGS="--source FILE --loop" for a demo without a camera)
run: models build
	./$(BIN) run $(ARGS)

## test: set up everything, then every test (race detector, pure-Go coach, Mat leak count, browser)
test: deps-test models tfjs-ref build lint test-models test-go

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on: $$out"; exit 1; fi
	$(GO) vet ./...

test-go:
	CGO_ENABLED=0 $(GO) test -count=1 ./coach/...
	$(GO) test -race -count=1 -timeout 30m ./...
	$(GO) test -tags matprofile -count=1 -run 'Leak|MatProfile' ./vision/...

## bench: per-frame timings (ms/frame, whole path and per stage), then the live service's CPU and memory
bench: models build
	$(GO) test -run '^$$' -bench . -benchtime 3s ./vision/... | tee /tmp/posturewatch-bench.txt
	@$(GO) run ./scripts/benchreport < /tmp/posturewatch-bench.txt
	$(GO) test -run '^$$' -bench ServiceCPU -benchtime 1x ./cmd/posturewatch/

## eval: accuracy per folder of ../shared/posture-data, as a table for the README
eval: models build
	./$(BIN) eval ../shared/posture-data

clean:
	rm -rf bin
