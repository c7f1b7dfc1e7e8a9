# Two commands for a newcomer: `make preview` and `make test`. Both set up .venv first.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STACK  ?= dev

.PHONY: setup preview test lint typecheck unit coverage bench mutation iam-actions clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt policies/requirements.txt
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[cli,dev]' -r policies/requirements.txt
	touch $(STAMP)

preview: setup
	$(BIN)/baseline preview --stack $(STACK) --policy-pack policies --policy-pack-config policies/config/$(STACK).json

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# Bytecode (and pytest's rewritten test modules) is cached under build/pycache even where the
# environment sets PYTHONDONTWRITEBYTECODE: otherwise each worker and each subprocess compiles
# the project again, about 9 s of every collection.
# Whole files per worker, so that a module's fixtures are built once; the slowest files first,
# as the last run timed them (tests/conftest.py), so that both workers end together.
PYTEST_WORKERS := -n 2 --dist loadfile --no-loadscope-reorder
unit: setup
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/build/pycache $(BIN)/pytest $(PYTEST_WORKERS)

test: lint typecheck unit

# The unit tests under coverage, then the files below 100% and the total. Not part of `make test`:
# tracing makes the run about 1.5 times as long (Python 3.11 has no cheaper hook than settrace).
# Code run in the tests' subprocesses (programs, packs, functions) is not counted.
coverage: setup
	mkdir -p build/coverage
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/build/pycache $(BIN)/pytest $(PYTEST_WORKERS) --cov --cov-report=
	$(BIN)/coverage report

# Results go to build/bench/results.md; `make bench UPDATE=1` rewrites the tracked
# benchmarks/results.md instead.
bench: setup
	$(BIN)/python -m benchmarks.run $(if $(UPDATE),--update)

# Mutation testing of the security-relevant modules (mutation/run.py); prints the surviving
# mutants and a count per module. Slow (about 2,400 mutants: over an hour on 2 busy cores), so
# not part of `make test`: run it before resolving an issue that touches those modules.
# ONLY="policies/s3 ..." narrows it; `python -m mutation.run --summary` reprints the counts.
mutation: setup
	$(BIN)/python -m mutation.run --jobs 2 $(if $(ONLY),--only $(ONLY))

# policies/iam_actions.json from the pinned parliament's IAM data (tools/iam_actions.py); run it
# after upgrading parliament. tests/test_policies_iam_actions.py fails while the file is stale.
iam-actions: setup
	$(BIN)/python -m tools.iam_actions

clean:
	rm -rf $(VENV) .mutation .hypothesis .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info
