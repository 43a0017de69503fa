# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test check properties lint venv test-venv system-deps bench bench-deps clean docs-screenshots

# What serving needs, nothing more: `make run` waits seconds on a warm package cache, not
# for the test tools (Playwright, mypy, hypothesis…), which `make test` adds.
venv: $(STAMP)
test-venv: $(TEST_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(TEST_STAMP)

# Debian packages the tests drive for real: redis-server (log backend, fault tests),
# nginx (the load balancer of the several-process topology)
# chromium (browser tests, driven by Playwright with executable_path)
# poppler-utils (the report's PDF is checked as text and rendered to PNG)
# icecast2 (the webradio is streamed to a real Icecast and listened to)
# coturn (pages relayed over TURN/TCP, as on networks that block UDP)
# and GStreamer's webrtcbin with its Python bindings (a broadcast encoder publishing over
# WHIP and watching over WHEP, tests/media/test_gstreamer.py).
# (plugins-ugly: x264enc, an encoder publishing H.264 as OBS does)
GST_PACKAGES := gstreamer1.0-plugins-bad gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-nice \
	python3-gst-1.0 gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1
GST_PROBE := /usr/bin/python3 -c 'import gi; gi.require_version("GstWebRTC", "1.0"); gi.require_version("Nice", "0.1"); \
	from gi.repository import Gst; Gst.init(None); assert Gst.ElementFactory.find("x264enc")'

APT_PACKAGES := $(if $(shell command -v redis-server),,redis-server) $(if $(wildcard /usr/sbin/nginx),,nginx-light) \
	$(if $(wildcard /usr/bin/chromium),,chromium fonts-noto-color-emoji) $(if $(shell command -v npm),,npm) \
	$(if $(shell command -v pdftoppm),,poppler-utils) $(if $(shell command -v icecast2),,icecast2) \
	$(if $(wildcard /usr/bin/turnserver),,coturn) $(if $(shell $(GST_PROBE) 2>/dev/null && echo ok),,$(GST_PACKAGES))
system-deps:
	@if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	  echo "installing from Debian packages: $(APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); fi

# From npm (package.json): hls.js, served to the pages (HLS where the browser has no
# native player), and for the tests axe-core, injected by the accessibility checks.
# `make run` installs the first only; without npm the pages still play WebRTC.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.served $@

node_modules/.served: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --omit=dev --no-audit --no-fund --silent && touch $@; \
	else echo "npm is missing: pages will play HLS only where the browser can (Safari); apt-get install npm"; fi

run: venv node_modules/.served
	$(BIN)/multiplex serve

ARTIFACTS := test-artifacts

# Style and types (strict on the core: hub/domain, hub/log, hub/live; pyproject.toml).
lint: test-venv
	$(BIN)/ruff check hub tests bench
	$(BIN)/mypy

# The quick loop, with nothing from apt or npm (no Redis, no Chromium): lint, types,
# the domain, the live channel, the log and the service, in well under a minute.
CHECK_TESTS := tests/domain tests/live tests/log tests/test_gate.py tests/test_service.py tests/test_web_catalogs.py \
	tests/test_event_files.py tests/test_access_and_settings.py
check: test-venv lint
	$(BIN)/python -m pytest -q -m "not redis" $(CHECK_TESTS)

# The property tests on many random days (make test tries a few): one hub, and two over Redis.
properties: test-venv system-deps
	MX_PROPERTY_EXAMPLES=300 $(BIN)/python -m pytest -q tests/live/test_properties.py

test: test-venv system-deps node_modules/.installed lint
	rm -rf $(ARTIFACTS)
	$(BIN)/python -m pytest -q
	@echo "screenshots of every page (desktop and phone): $(CURDIR)/$(ARTIFACTS)/screenshots"

# Benchmarks: the peers (npm, pip) and the C load generator are set up here, not by `make test`.
bench-deps: test-venv
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	cd bench/peers/node && npm ci --no-audit --no-fund --silent

# Every workload at the default settings (each table of BENCHMARKS.md names its command
# and the settings it ran with), the media benches, then BENCHMARKS.md and its plots.
bench: bench-deps
	$(BIN)/python -m bench.suite all --no-report
	$(BIN)/python -m bench.media
	$(BIN)/python -m bench.audio
	$(BIN)/python -m bench.workers
	$(BIN)/python -m bench.hls
	$(BIN)/python -m bench.suite report

clean:
	rm -rf $(VENV) data build *.egg-info node_modules $(ARTIFACTS)

# The README's screenshots of every page and scene, from those the last `make test` took
docs-screenshots: test-venv
	$(BIN)/python docs/screenshots/refresh.py
