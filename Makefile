# Milepost: `make demo` runs the demo district, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The demo shows the example district theme; leave it out to see the default theme.
DEMO_ENV = MILEPOST_THEME=$${MILEPOST_THEME:-riverbend}

.PHONY: install demo test browser-deps bench bench-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml package.json package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The official Open Badges 2.0 validator pins an old Click, so it goes in without its own pins
	# (its dependencies, at current versions, are in the test extra).
	$(BIN)/python -m pip install --quiet --no-deps 'openbadges==1.1.2'
	# The JSON-LD contexts credentials are signed against come from their npm packages (package.json);
	# the test suite's Data Integrity verifier is among the dev dependencies. node_modules is not committed.
	npm ci --no-audit --no-fund --loglevel=error
	node platform/credentials/bundle_contexts.cjs
	touch $@

install: $(STAMP)

demo: install
	$(DEMO_ENV) $(BIN)/milepost db upgrade
	$(DEMO_ENV) $(BIN)/milepost seed-demo
	$(DEMO_ENV) $(BIN)/milepost run --host $(HOST) --port $(PORT)

# Browser journeys drive Debian's chromium; install it when we can (root on CI or a fresh box).
# Without it they are skipped, unless MILEPOST_REQUIRE_BROWSER=1 (.ci/run sets it): then they fail.
BROWSER_MISSING = browser tests will $(if $(filter-out 0 false no,$(MILEPOST_REQUIRE_BROWSER)),FAIL (MILEPOST_REQUIRE_BROWSER is set),be skipped)
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	      || echo "chromium could not be installed: $(BROWSER_MISSING)"; \
	  else echo "chromium is not installed: $(BROWSER_MISSING) (apt-get install chromium)"; fi; \
	fi

# The guard rails run before the suite: the style rules (ruff.toml), the import layers (setup.cfg's
# [importlinter]: no feature imports one above it) and bandit's security checks.
test: install browser-deps
	$(BIN)/ruff check --quiet .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit --quiet --recursive platform --severity-level medium
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; \
	exit $$status

# Benchmarks measure; they are not part of the tests. Each prints its figures and PASS or FAIL.
# The first run builds the demo and a 10,000-teacher district under bench/out/ (about a minute each);
# results go to bench/results/. MILEPOST_BENCH_DATABASE_URL=postgresql://... runs them on PostgreSQL.
# BENCH_GROWTH=--quick (1,000/3,000/10,000 teachers); set it empty for 1,000/10,000/50,000.
BENCH_GROWTH ?= --quick
bench-deps:
	@$(BIN)/python -c "import gunicorn" 2>/dev/null || $(BIN)/python -m pip install --quiet gunicorn \
	  || echo "gunicorn could not be installed: the HTTP benchmark will be skipped"
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's wrk for the HTTP benchmark..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "wrk could not be installed: the HTTP benchmark will be skipped"; \
	  else echo "wrk is not installed: the HTTP benchmark will be skipped (apt-get install wrk)"; fi; \
	fi

bench: install bench-deps
	$(BIN)/python -m bench.upload_memory
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.growth $(BENCH_GROWTH)
	@cat bench/results/pages*.md bench/results/http*.md bench/results/growth*.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
