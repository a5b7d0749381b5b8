# The two set-up commands of the README (`make run`, `make test`) install into .venv/ first, so they work on a
# fresh machine; `make test` also sets up Chromium, the CJK font, PostgreSQL and Redis (tools/test_env.sh).
PYTHON ?= python3
VENV := .venv
PIP := $(VENV)/bin/pip
PY := $(VENV)/bin/python

.PHONY: layers run test test-fast test-env install install-dev lint format typecheck typecheck-update wheel-check

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# rapidocr 3.x is installed without its dependencies: it only supplies the PP-OCRv6 model files
# (FAPIAO_OCR_MODELS=ppocrv6), and its own requirements would add a second OpenCV build beside ours.
OCR_V6 := rapidocr==3.10.0

install: $(VENV)/bin/python
	$(PIP) install --quiet -c requirements.lock -e .
	$(PIP) install --quiet --no-deps $(OCR_V6)

install-dev: $(VENV)/bin/python
	$(PIP) install --quiet -c requirements.lock -e '.[dev]'
	$(PIP) install --quiet --no-deps $(OCR_V6)

run: install
	$(VENV)/bin/fapiao serve --host $${FAPIAO_HOST:-127.0.0.1} --port $${FAPIAO_PORT:-8000}

test-env:
	@tools/test_env.sh

# Everything: unit, property, service on SQLite and the live PostgreSQL/Redis, OCR models, browser.
test: install-dev test-env
	$(VENV)/bin/pytest -n 2

# The quick tier: no subprocesses, kill -9, OCR models, fuzzing, browser or live services; in parallel.
test-fast: install-dev
	$(VENV)/bin/pytest -n auto -m "not slow and not live" --durations=5

lint: install-dev layers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import layers (.importlinter): api/cli → service → storage → matching → intake → ocr → core.
layers: install-dev
	$(PY) -m tools.lint_imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install-dev
	$(PY) -m tools.typecheck

typecheck-update: install-dev
	$(PY) -m tools.typecheck --update

# The built wheel holds one top-level package, fapiao (with its migrations and UI files), and nothing else.
wheel-check: install-dev
	$(PY) -m tools.wheel_check
