# avfusion — the two commands a newcomer needs are `make demo` and `make test`.
# Both install what is missing (Debian packages via apt-get, Go modules via
# the proxy, golangci-lint via `go install`) and are quick when it is present.

SHELL := /bin/bash
GO ?= go
GOLANGCI_VERSION := v2.15.0
TOOLS := $(CURDIR)/.tools/$(GOLANGCI_VERSION)
GOLANGCI := $(TOOLS)/golangci-lint
BIN := $(CURDIR)/bin/avfusion
DEB_PACKAGES := ros-core python3-rosbag python3-sensor-msgs python3-diagnostic-msgs python3-numpy python3-scipy qemu-user libopencv-dev gstreamer1.0-plugins-base libasound2 darknet libvorbis-dev lame vorbis-tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# demo settings; override as `make demo SCENARIO=sim/scenarios/crossing.yaml DURATION=60s`
SCENARIO ?= sim/scenarios/urban.yaml
DURATION ?= 20s
ROS_MASTER_URI ?= http://127.0.0.1:11311

.PHONY: all deps build cross demo test test-short lint vet fmt-check unit soak weights-check bench report models sounds clean

# The COCO camera detector: CenterNet (MobileNetV3) from the npm package
# @vladmandic/human (MIT), its integrity checked against the registry's
# sha512, converted to ONNX by `avfusion camera convert`, one file per
# input size, into the git-ignored MODELS; nothing is fetched at run time.
MODELS := $(CURDIR)/.cache/models
HUMAN_VERSION := 3.3.6
HUMAN_SHA512 := Nr5mPfq1gQ+uKeXY5uM3Fj8UxvF5CEh2s6txM5wRThqaW0mF9huooOuZSrT8hhGho0hGaXLFdAwfD/2+teCv6A==

# Real recordings for the sound classifier (perception/acoustic/corpus):
# Debian packages of games and educational software, fetched with
# `apt-get download` (their own dependencies, game engines and a Java
# runtime, are not needed) and only their sound files and copyright notices
# unpacked into the git-ignored SOUNDS.
SOUNDS := $(CURDIR)/.cache/sounds
SOUND_PACKAGES := $(shell sed -n 's/^\t"\([a-z0-9.+-]*=[^"]*\)",$$/\1/p' perception/acoustic/corpus/corpus.go)

all: build

deps: ## Debian packages and Go modules
	@missing=""; for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/avfusion

models: $(MODELS)/centernet-512.onnx

$(MODELS)/centernet-512.onnx: | build
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	@mkdir -p $(MODELS) && cd $(MODELS) && \
	tgz=vladmandic-human-$(HUMAN_VERSION).tgz; \
	[ -f $$tgz ] || npm pack --silent @vladmandic/human@$(HUMAN_VERSION) >/dev/null; \
	sum=$$(openssl dgst -sha512 -binary $$tgz | base64 -w0); \
	if [ "$$sum" != "$(HUMAN_SHA512)" ]; then echo "models: $$tgz: sha512 $$sum, want $(HUMAN_SHA512)"; rm -f $$tgz; exit 1; fi; \
	tar -xzf $$tgz package/models/centernet.json package/models/centernet.bin package/LICENSE && \
	$(BIN) camera convert package/models/centernet.json --out $(MODELS)

sounds: $(SOUNDS)/.unpacked

$(SOUNDS)/.unpacked: perception/acoustic/corpus/corpus.go
	@mkdir -p $(SOUNDS)/debs && cd $(SOUNDS)/debs && \
	for p in $(SOUND_PACKAGES); do n=$${p%%=*}; ls $${n}_*.deb >/dev/null 2>&1 || want="$$want $$p"; done; \
	if [ -n "$$want" ]; then apt-get download $$want 2>/dev/null || { $(SUDO) apt-get update -qq && apt-get download $$want; } || exit 1; fi; \
	for d in *.deb; do n=$${d%%_*}; rm -rf ../$$n; mkdir -p ../$$n; \
		dpkg-deb --fsys-tarfile $$d > ../$$n.tar && \
		tar -tf ../$$n.tar | grep -E '\.(wav|mp3)$$|/opensfx\.cat$$|/copyright$$|/all/noises/.*\.ogg$$|/emergency/firetruck\.ogg$$' | tar -x -C ../$$n -f ../$$n.tar -T - && \
		rm ../$$n.tar || exit 1; done; \
	touch $(SOUNDS)/.unpacked && echo "sounds: $$(ls *.deb | wc -l) packages unpacked into $(SOUNDS)"

# Static builds for embedded boards (no cgo): linux/arm64 and linux/arm v7.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -o bin/avfusion-linux-arm64 ./cmd/avfusion
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -o bin/avfusion-linux-armv7 ./cmd/avfusion

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

lint: $(GOLANGCI)
	$(GOLANGCI) run ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 ./...

# The unit tests alone (about a minute): integration tests skip under -short.
test-short:
	$(GO) test -short -count=1 ./...

# Two minutes of the soak scenario in real time, and 20 s of crossing
# through the virtual TI radar in real time (latency), alone on the machine.
soak:
	$(GO) test -tags soak -run 'Soak|RealTimeLatency' -count=1 -v ./sim

# The shipped networks' weights are what `avfusion train audio`, `avfusion
# train audio --model conv` and `avfusion train fusion` make (the sound
# networks from the real recordings too: make sounds): retrain all three (a
# minute and a half, four minutes and four minutes on two cores) and compare
# byte for byte.
weights-check: build sounds
	@tmp=$$(mktemp -d); \
	bin/avfusion train audio --held-out 0 --out $$tmp/audio.json 2>/dev/null && \
	cmp $$tmp/audio.json perception/acoustic/weights/audio.json && echo "weights-check: perception/acoustic/weights/audio.json is reproduced exactly" && \
	bin/avfusion train audio --model conv --held-out 0 --out $$tmp/audio_conv.json 2>/dev/null && \
	cmp $$tmp/audio_conv.json perception/acoustic/weights/audio_conv.json && echo "weights-check: perception/acoustic/weights/audio_conv.json is reproduced exactly" && \
	bin/avfusion train fusion --out $$tmp/fusion.json 2>/dev/null && \
	cmp $$tmp/fusion.json fusion/learned/weights/fusion.json && echo "weights-check: fusion/learned/weights/fusion.json is reproduced exactly"; \
	rc=$$?; rm -rf $$tmp; exit $$rc

test: deps models sounds fmt-check vet lint cross unit weights-check soak

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# docs/benchmarks.md: runs everything the page reports and writes it anew
# (about ten minutes; alone on the machine, for honest times).
report: build
	$(GO) run ./tools/report --bin $(BIN) --out docs/benchmarks.md

# The node on the built-in simulator, publishing on a real ROS master. A
# roscore is started only if none answers at ROS_MASTER_URI, and only that
# one is stopped afterwards.
demo: build models
	@export ROS_MASTER_URI=$(ROS_MASTER_URI); export ROS_IP=$${ROS_IP:-127.0.0.1}; \
	started=""; \
	if ! timeout 5 rosnode list >/dev/null 2>&1; then \
		port=$${ROS_MASTER_URI##*:}; port=$${port%%/*}; \
		echo "no ROS master at $$ROS_MASTER_URI: starting roscore -p $$port"; \
		roscore -p $$port >/tmp/avfusion-demo-roscore.log 2>&1 & started=$$!; \
		for i in $$(seq 1 50); do timeout 5 rosnode list >/dev/null 2>&1 && break; sleep 0.2; done; \
	fi; \
	trap '[ -n "$$started" ] && kill -INT $$started && wait $$started' EXIT; \
	echo "publishing on $$ROS_MASTER_URI: obstacles, obstacles/tracks, obstacles/markers, /diagnostics"; \
	$(BIN) sim --ros --status on --scenario $(SCENARIO) --duration $(DURATION)

clean:
	rm -rf bin .cache
