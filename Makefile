# Two commands do all the set-up on a fresh machine with Python 3.11 and pip:
#   make report   -> installs into .venv and builds the full report on the demo cohort into reports/
#   make test     -> installs into .venv (with test extras) and runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := data/synthetic/agir_demo.csv
PLAN   := data/synthetic/agir_demo.toml

.PHONY: report analyze test bench docs clean

$(BIN)/evalexp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/evalexp

report: $(BIN)/evalexp
	$(BIN)/evalexp report $(DEMO) --plan $(PLAN) --out reports/agir_demo

analyze: $(BIN)/evalexp
	$(BIN)/evalexp analyze $(DEMO) --plan $(PLAN) --json reports/agir_demo_results.json

test: $(BIN)/evalexp
	$(BIN)/python -m pytest -q

# API reference and user guide (Sphinx + numpydoc) into docs/_build/html; any warning fails the build.
docs: $(BIN)/evalexp
	$(BIN)/pip install --quiet -e ".[docs]"
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(BIN)/evalexp
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info docs/_build
