# make run: set up, migrate, load the demo when the database is empty, serve on :5000 with
# the mail worker beside it.
# make test: set up with the test extra and run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
# The Nu Html Checker (the W3C's validator) for tests/e2e/test_crawl.py; it runs on Java.
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
export EIP_ENV ?= development

.PHONY: run test fuzz setup migrate demo screenshots bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,redis]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) seed-demo --if-empty

# The mail worker runs beside the server (mail is written to the log when no EIP_SMTP_HOST is
# set) and stops with it.
run: demo
	@echo "Serving on http://127.0.0.1:5000, with the mail worker (Ctrl+C to stop both)"
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

$(VNU_JAR): | $(STAMP)
	@command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix $(VENV)/vnu vnu-jar@26.9.27 \
	  || echo "npm is missing: the HTML check of every page will be skipped"

# A real OpenID provider (oidc-provider on Node.js) for the single sign-on tests (tests/oidc).
OIDC_PROVIDER := $(VENV)/oidc/node_modules/oidc-provider/package.json

$(OIDC_PROVIDER): | $(STAMP)
	@command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix $(VENV)/oidc oidc-provider@8.8.1 \
	  || echo "npm is missing or offline: the single sign-on tests will be skipped"

test: setup $(VNU_JAR) $(OIDC_PROVIDER)
	EIP_ENV=testing $(BIN)/pytest $(PYTEST_ARGS)

# make fuzz: every route with odd values, far longer than make test's share (~5 minutes).
fuzz: setup
	EIP_ENV=testing EIP_FUZZ=1 EIP_FUZZ_EXAMPLES=2000 $(BIN)/pytest -q tests/test_fuzz.py $(PYTEST_ARGS)

screenshots: setup
	EIP_ENV=testing EIP_SCREENSHOTS=1 $(BIN)/pytest -q tests/e2e

bench: setup
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
