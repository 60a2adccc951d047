# posturewatch — the two commands: `make run` and `make test`. Each does all the set-up it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export OPENCV_LOG_LEVEL := ERROR
export CGO_ENABLED ?= 1

BIN    := bin/posturewatch
MODEL  := models/movenet-lightning.onnx
DATA   ?= ../shared/posture-data
# What the models see on every labelled development frame (make features):
# derived numbers, kept in the user's cache, never in the repository.
FEATURES ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/posturewatch/features.jsonl
# The features depend only on the frame-to-input path (vision, not the
# judgement) and the models.
FEATSRC := $(filter-out %_test.go,$(wildcard vision/*.go vision/face/*.go)) $(wildcard models/*.onnx)
GO     ?= go
ARGS   ?=
GOSRC  := $(shell find . -name '*.go' -not -path './bin/*' 2>/dev/null) go.mod go.sum $(shell find webui/static -type f 2>/dev/null) $(wildcard coach/*.json)

.PHONY: container all deps deps-test models tfjs-ref test-models build install run test test-go lint fuzz fuzz-short soak soak-short bench eval score fit features clean
all: build

## deps: install the Debian packages that are missing (OpenCV, compiler, model tools)
deps:
	@bash scripts/deps.sh build models

deps-test:
	@bash scripts/deps.sh build models test

## models: fetch @vladmandic/human once, convert MoveNet, BlazeFace and FaceMesh to ONNX, check their sha256
models: deps
	@bash models/setup.sh
	@bash models/runtime-setup.sh

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

## features: record what the models see on the development data, with augmented copies (a few minutes, once)
features: $(FEATURES)
$(FEATURES): $(FEATSRC) | build
	@mkdir -p $(dir $(FEATURES))
	@if [ ! -d $(DATA) ]; then echo "no development data at $(DATA): clone the repository beside ../shared" >&2; exit 1; fi
	./$(BIN) features --augment --threads 1 $(DATA) > $(FEATURES).tmp
	mv -f $(FEATURES).tmp $(FEATURES)

## fit: fit the judgement's default thresholds to the development data → vision/posture/params_fit.go
fit: models build features
	./$(BIN) fit --features $(FEATURES) --out vision/posture/params_fit.go

## test: set up everything, then every test (race detector, pure-Go coach, Mat leak count, browser)
test: deps-test models tfjs-ref build features lint test-models test-go fuzz-short soak-short

## lint: gofmt, go vet, staticcheck, and go.mod/go.sum tidy
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags matprofile ./vision/...
	$(GO) run $(STATICCHECK) ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; $(GO) mod tidy -diff; exit 1; }

test-go:
	CGO_ENABLED=0 $(GO) test -count=1 ./coach/... ./vision/posture/... ./vision/face/... ./vision/imagefile/... ./vision/v4l/... ./vision/procmem/... ./vision/camview/...
	POSTUREWATCH_FEATURES=$(FEATURES) $(GO) test -race -count=1 -timeout 30m ./...
	$(GO) test -tags matprofile -count=1 -run 'Leak|MatProfile' ./vision/...

## fuzz: every fuzz test in the repository, one after another, FUZZTIME (30s) each; a finding is kept in that package's testdata/fuzz
FUZZTIME ?= 30s
fuzz:
	@$(call run-fuzz,$(FUZZTIME))

## fuzz-short: the same, 3 s each (about 1.5 minutes in all)
fuzz-short:
	@$(call run-fuzz,3s)

# run-fuzz runs each `func FuzzX` of the *_test.go files for $(1), pure Go as
# in test-go, and fails at the end if any found something. Go 1.26's fuzz
# coordinator can end a run that found nothing with "context deadline
# exceeded" (go.dev/issue/75804, fixed in Go 1.27): without a failing input
# written, that is reported and not counted as a finding.
define run-fuzz
failed=""; \
while read -r pkg name; do \
  if out=$$(CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(1) "./$$pkg" </dev/null 2>&1); then \
    echo "ok    $$name ./$$pkg: $$(grep -o 'execs: [0-9]*' <<<"$$out" | tail -n 1)"; \
  elif grep -q 'context deadline exceeded' <<<"$$out" && ! grep -q 'Failing input written' <<<"$$out"; then \
    echo "ok    $$name ./$$pkg: $$(grep -o 'execs: [0-9]*' <<<"$$out" | tail -n 1) (ended by go.dev/issue/75804, no finding)"; \
  else \
    echo "FAIL  $$name ./$$pkg"; grep -v '^fuzz: elapsed' <<<"$$out" || true; \
    failed="$$failed $$name"; \
  fi; \
done < <(grep -rn --include='*_test.go' --exclude-dir=bin --exclude-dir=.git '^func Fuzz' . | \
  sed -E 's|^\./(.*)/[^/]*_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort -u); \
if [ -n "$$failed" ]; then echo "fuzzing found something in:$$failed" >&2; exit 1; fi
endef

## install: the binary in ~/.local/bin, the models in $XDG_DATA_HOME/posturewatch/models (sha256-checked there too), and the systemd user unit that starts it at login (posturewatch service install; without systemd it says what to do instead)
PREFIX ?= $(HOME)/.local
MODELS_HOME = $${XDG_DATA_HOME:-$(HOME)/.local/share}/posturewatch/models
install: models build
	install -D -m 0755 $(BIN) $(PREFIX)/bin/posturewatch
	install -d $(MODELS_HOME)
	install -m 0644 models/movenet-lightning.onnx models/blazeface.onnx models/facemesh.onnx models/libonnxruntime.so.* $(MODELS_HOME)/
	-$(PREFIX)/bin/posturewatch service install

## soak: an hour of monitoring compressed into a minute (the clip looped 60x faster, a dashboard connected), asserting that goroutines, open files, the Go heap and OpenCV Mats do not grow
SOAK ?= 60m
soak: models
	POSTUREWATCH_SOAK=$(SOAK) $(GO) test -tags matprofile -count=1 -run '^TestSoak$$' -timeout 30m ./cmd/posturewatch/

## soak-short: the same for five minutes of monitoring (5 s)
soak-short: models
	POSTUREWATCH_SOAK=5m $(GO) test -tags matprofile -count=1 -run '^TestSoak$$' ./cmd/posturewatch/

## bench: per-frame timings (ms/frame, whole path and per stage), then the live service's CPU and memory
bench: models build
	$(GO) test -run '^$$' -bench . -benchtime 3s ./vision/... | tee /tmp/posturewatch-bench.txt
	@$(GO) run ./scripts/benchreport < /tmp/posturewatch-bench.txt
	$(GO) test -run '^$$' -bench ServiceCPU -benchtime 1x ./cmd/posturewatch/

## eval: accuracy per folder and per person, with and without a baseline, cross-validated by person (the README's table)
eval: models build features
	./$(BIN) eval --features $(FEATURES)

## score: score your own photos and videos, sorted into folders named good, sit_up_straight, straighten_head and away under PHOTOS, as the held-out sets are scored (ARGS: e.g. --class bad=sit_up_straight)
score: models build
	@test -n "$(PHOTOS)" || { echo "make score PHOTOS=DIR: the folder holding the class folders" >&2; exit 2; }
	./$(BIN) score $(ARGS) "$(PHOTOS)"

## container: build the container image (needs a container engine; scripts/container-build.sh is its build stage, tested by make test)
# The image's Go and Debian releases: go.mod's Go, and the Debian release the
# project targets (scripts/container_test.go checks the Dockerfile's defaults
# against both).
DEBIAN_RELEASE := bookworm
GO_RELEASE     := $(shell awk '$$1 == "go" {split($$2, v, "."); print v[1] "." v[2]}' go.mod)
DOCKER ?= docker
container:
	$(DOCKER) build --build-arg GO_VERSION=$(GO_RELEASE) --build-arg DEBIAN=$(DEBIAN_RELEASE) -t posturewatch .

clean:
	rm -rf bin
