# Two commands do all the set-up on a fresh machine with Python 3.11 and pip:
#   make report   -> installs into .venv and builds the full report on the demo cohort into reports/
#   make test     -> installs into .venv (with the test and spark extras) and runs the whole test suite
#                    (the Spark tests need Java 17+: without it they skip, except under CI=true)
# CI (.ci/run) also runs `make test-oldest`: the suite on the oldest versions pyproject.toml allows
# (constraints/oldest.txt), in .venv-oldest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OLDEST := .venv-oldest/bin
DEMO   := data/synthetic/agir_demo.csv
PLAN   := data/synthetic/agir_demo.toml

.PHONY: report analyze test test-oldest contract-in-step bench docs lint clean

$(BIN)/evalexp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $(BIN)/evalexp

report: $(BIN)/evalexp
	$(BIN)/evalexp report $(DEMO) --plan $(PLAN) --out reports/agir_demo

analyze: $(BIN)/evalexp
	$(BIN)/evalexp analyze $(DEMO) --plan $(PLAN) --json reports/agir_demo_results.json

test: $(BIN)/evalexp
	$(BIN)/python -m pytest -q

$(OLDEST)/evalexp: pyproject.toml constraints/oldest.txt
	$(PYTHON) -m venv .venv-oldest
	$(OLDEST)/pip install --quiet --upgrade pip
	$(OLDEST)/pip install --quiet -c constraints/oldest.txt -e ".[test,spark]"
	touch $(OLDEST)/evalexp

test-oldest: $(OLDEST)/evalexp
	$(OLDEST)/python -m pytest -q

# docs/CONTRACT.md and the packaged schema are copies of the project's shared contract (the acceptance
# reference): `make contract-in-step SHARED=<folder of the shared contract>` says whether they are in step.
contract-in-step:
	@test -n "$(SHARED)" || { echo "give the folder of the shared contract: make contract-in-step SHARED=DIR"; exit 2; }
	diff -u "$(SHARED)/CONTRACT.md" docs/CONTRACT.md
	diff -u "$(SHARED)/results.schema.json" src/evalexp/schema/results.schema.json

# API reference and user guide (Sphinx + numpydoc) into docs/_build/html; any warning fails the build.
docs: $(BIN)/evalexp
	$(BIN)/pip install --quiet -e ".[docs]"
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

# Lint and types: ruff (rules in pyproject.toml [tool.ruff]) on the code, tests and benchmarks, and mypy
# (pyproject.toml [tool.mypy], with pandas-stubs) on src/; the exact tool versions come with the test extra.
lint: $(BIN)/evalexp
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(BIN)/evalexp
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-oldest build src/*.egg-info docs/_build
