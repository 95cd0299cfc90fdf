# Two commands do all set-up on a fresh machine: `make pdf` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Reinstall whenever the package or its themes change: the venv holds a real (non-editable)
# install, so what is tested is what a user gets from the wheel.
SOURCES := pyproject.toml $(shell find src templates -type f -not -path '*/__pycache__/*')

.PHONY: pdf test lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate $(SOURCES)
	$(BIN)/pip install --quiet '.[test]'
	touch $@

pdf: $(VENV)/.installed
	$(BIN)/cvtex build cv.yaml

test: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) build dist cv.pdf .pytest_cache
