PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests use, as command:package. `make test` installs the missing ones when it
# can (root with apt-get; a failed install is tolerated); a test whose tool is still missing skips
# with the reason, or fails under CI=true (tests/support/needs.py).
TEST_TOOLS := snmpbulkwalk:snmp snmptrap:snmp chromium:chromium
# `make test` runs the suite in two parts. First everything not marked `slow`, on PYTEST_WORKERS
# pytest-xdist workers (a test file per worker at a time, so module labs stay shared). Then, under
# CI=true or with SLOW=1, the `slow` scenario runs (accuracy seed set, e2e loops/outages/scenarios,
# the lab grading runs, the browser): serially, because their triage deadlines are real time and
# two workers on 2 cores stretch them. A plain `make test` on a laptop stays within ~10 minutes; CI
# runs both parts, nothing deselected.
PYTEST_WORKERS ?= 2
SLOW ?= $(if $(filter true 1 yes,$(CI)),1,)
PYTEST_ARGS ?=

.PHONY: test test-tools apt-install demo install clean bench vendor

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || { $(MAKE) --no-print-directory apt-install PACKAGES=python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Installs $(PACKAGES) with apt-get when run as root; otherwise says why not. Never fails the build.
apt-install:
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "make: not installing $(PACKAGES) (needs root and apt-get); the tests that need them skip"; \
	else \
		echo "make: installing $(PACKAGES) for the tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; } \
			|| echo "make: could not install $(PACKAGES); the tests that need them skip"; \
	fi

test-tools:
	@missing=$$(for pair in $(TEST_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || echo $${pair#*:}; done | sort -u | xargs); \
	if [ -n "$$missing" ]; then $(MAKE) --no-print-directory apt-install PACKAGES="$$missing"; fi

test: $(STAMP) test-tools
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m "not slow" $(PYTEST_ARGS)
	@if [ -n "$(SLOW)" ]; then \
		echo "make: the slow scenario runs, serially"; \
		$(BIN)/pytest -q -m slow $(PYTEST_ARGS); \
	else \
		echo "make: the tests marked slow were not run (CI=true or SLOW=1 runs them: make test SLOW=1)"; \
	fi

demo: $(STAMP)
	$(BIN)/faultline demo

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache

# The console's JavaScript (HTMX, Alpine.js, cytoscape.js, ECharts) at pinned versions from the npm
# registry: `npm pack` into a temp dir, the minified dist files and licences copied to api/static/vendor.
vendor:
	sh api/static/vendor.sh
