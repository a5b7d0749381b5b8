# The two set-up commands of the README. Both install into .venv/ first, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PIP := $(VENV)/bin/pip

.PHONY: run test install install-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/python
	$(PIP) install --quiet -c requirements.lock -e .

install-dev: $(VENV)/bin/python
	$(PIP) install --quiet -c requirements.lock -e '.[dev]'

run: install
	$(VENV)/bin/fapiao serve --host $${FAPIAO_HOST:-127.0.0.1} --port $${FAPIAO_PORT:-8000}

test: install-dev
	$(VENV)/bin/pytest
