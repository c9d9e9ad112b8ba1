# Sealdesk — `make run` opens the app, `make test` runs everything CI runs.
# Both install what is missing first (Debian 12 / Ubuntu: apt packages, npm packages, a Python venv
# for the independent judges, tauri-driver). Nothing here needs the network at run time but the
# package registries.

SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
SHARED      := $(abspath ../shared)
VENV        := $(ROOT)/.venv
PY          := $(VENV)/bin/python
DATA_DIR    ?= $(ROOT)/.sealdesk-data
DEMO_TOKEN  := $(ROOT)/.demo-token
APP_FEATURES := --features tauri/custom-protocol
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO_HOME_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_HOME_BIN):$(PATH)

# Build tools, the WebKit/GTK stack Tauri links, PC/SC, the SoftHSM2 token, the test PKI tools,
# Xvfb + WebKitWebDriver for the real-window tests, and the independent verifiers' system parts.
APT_PACKAGES := build-essential pkg-config curl file \
	libwebkit2gtk-4.1-dev libssl-dev libpcsclite-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev \
	softhsm2 opensc pcscd vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome pcsc-tools libengine-pkcs11-openssl openssl \
	xvfb xauth webkit2gtk-driver xdotool imagemagick poppler-utils xmlsec1 qpdf libdbus-1-dev
# Node and Python come from apt only when the machine has none (a Node from elsewhere ships its
# own npm, and Debian's npm package would conflict with it).
NODE_PACKAGES := $(if $(shell command -v npm),,nodejs npm)
PY_PACKAGES := $(if $(shell python3 -c 'import venv, ensurepip' 2>/dev/null && echo ok),,python3 python3-venv python3-pip)

.PHONY: help run test deps deps-apt deps-ui deps-py deps-driver ui app demo-token lint \
	test-rust test-e2e measure bench fuzz clean

help:
	@echo "make run    install what is missing, build, open Sealdesk (demo SoftHSM2 token 'TEST' if no real token)"
	@echo "make test   everything CI runs: lint, unit + integration tests, independent judges, real-window E2E"

## ---------------------------------------------------------------- dependencies
deps: deps-apt deps-ui deps-py deps-driver

deps-apt:
	@missing=$$(for p in $(APT_PACKAGES) $(NODE_PACKAGES) $(PY_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run make again"; exit 1; }

deps-ui: ui/node_modules/.package-lock.json
ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

deps-py: $(VENV)/.installed
$(VENV)/.installed: tests/judges/requirements.txt tests/e2e/requirements.txt $(SHARED)/tools/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r $(SHARED)/tools/requirements.txt \
		-r tests/judges/requirements.txt -r tests/e2e/requirements.txt
	@touch $@

deps-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version '^2'

## ---------------------------------------------------------------- build
ui: deps-ui
	cd ui && npm run build

app: ui
	cargo build -p sealdesk $(APP_FEATURES)

## ---------------------------------------------------------------- run
# With no SEALDESK_PKCS11_MODULE given, a demo SoftHSM2 token labelled TEST is made (once) and used.
demo-token:
	@[ -f $(DEMO_TOKEN)/token.env ] || bash tests/harness/mktoken.sh $(DEMO_TOKEN) TEST

run: deps-apt deps-ui app demo-token
	@if [ -n "$$SEALDESK_PKCS11_MODULE" ]; then \
	  echo "using the token module $$SEALDESK_PKCS11_MODULE"; \
	  ./target/debug/sealdesk --data-dir $(DATA_DIR); \
	else \
	  echo "no SEALDESK_PKCS11_MODULE set: using the demo SoftHSM2 token TEST (PIN in $(DEMO_TOKEN)/token.env)"; \
	  set -a; source $(DEMO_TOKEN)/token.env; set +a; unset SEALDESK_PIN; \
	  if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	    echo "no display: running under Xvfb"; xvfb-run -a -s "-screen 0 1280x800x24" ./target/debug/sealdesk --data-dir $(DATA_DIR); \
	  else ./target/debug/sealdesk --data-dir $(DATA_DIR); fi; \
	fi

## ---------------------------------------------------------------- test
test: deps lint test-rust test-e2e
	@echo "make test: all stages passed"

lint: deps-ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cd ui && npm run check

# Unit and integration tests of every crate (the app crate too: IPC bindings drift, command
# mapping). Integration tests make their own SoftHSM2 token and call the Python judges in .venv.
test-rust: ui deps-py
	SEALDESK_PYTHON=$(PY) cargo test --workspace --no-fail-fast

test-e2e: app deps-py deps-driver
	PATH=$(VENV)/bin:$$PATH xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/run.sh $(ROOT)/target/debug/sealdesk

# Benchmarks (release builds). ESCO search over the full 13,939-skill snapshot: goal p95 <= 10 ms.
bench:
	cargo bench -p sealdesk-vocab --bench esco_search
	@echo "token: signatures/s through TokenSigner vs raw cryptoki (fresh harness SoftHSM2 token)"
	cargo bench -p sealdesk-token --bench signing
	@echo "batch: 2,000 and 10,000 credentials; sealed/s vs raw signatures/s (goal >= 0.95), token busy (goal >= 98 %), RSS"
	cargo bench -p sealdesk-flows --bench batch
	@echo "batch with PDFs: 300 credentials, PDFs off then on in the same run; sealed/raw, token busy, load average"
	BATCH_SIZES=300 cargo bench -p sealdesk-flows --bench batch -- --pdf
	@echo "render: credential PDFs per second per core (micro-credential sample, full and summary)"
	cargo bench -p sealdesk-render --bench render
	@echo "verify: sealed JAdES credentials/s with every check and cached trusted lists, 2 threads (goal >= 5,000) vs raw RSA verify/s"
	cargo bench -p sealdesk-flows --bench verify

measure: app
	xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/measure.sh $(ROOT)/target/debug/sealdesk

# Fuzzing (not part of make test): each cargo-fuzz target for FUZZ_SECONDS on the stable toolchain
# (RUSTC_BOOTSTRAP=1). Seeds: fuzz/corpus/<target> (official samples); new inputs go to
# target/fuzz-corpus, crashes to fuzz/artifacts/<target>.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := jades_reader credential_reader pdf_reader tl_parser
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(ROOT)/target/fuzz-corpus/$$t && \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run -O $$t $(ROOT)/target/fuzz-corpus/$$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 || exit 1; \
	done

clean:
	cargo clean
	rm -rf ui/dist $(VENV) $(DEMO_TOKEN)
