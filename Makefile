# Milepost: `make demo` runs the demo district, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The demo shows the example district theme; leave it out to see the default theme.
DEMO_ENV = MILEPOST_THEME=$${MILEPOST_THEME:-riverbend}

.PHONY: install demo test browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

demo: install
	$(DEMO_ENV) $(BIN)/milepost db upgrade
	$(DEMO_ENV) $(BIN)/milepost seed-demo
	$(DEMO_ENV) $(BIN)/milepost run --host $(HOST) --port $(PORT)

# Browser journeys drive Debian's chromium; install it when we can (root on CI or a fresh box).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium is not installed: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

test: install browser-deps
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; \
	exit $$status

# Benchmarks measure; they are not part of the tests. Each prints its figures and PASS or FAIL.
bench: install
	$(BIN)/python -m bench.upload_memory

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
