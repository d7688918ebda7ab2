# Local development: `make run` starts everything on loopback, `make test` is what CI runs.
PYTHON := .venv/bin/python
STAMP := .venv/.installed
space := $() $()
# mypy resolves the in-tree packages (devstack, standins, gateway…) from these roots.
MYPYPATH := $(subst $(space),:,. deploy $(wildcard services/*))
TEST_PATHS := $(wildcard shared/tests services/*/tests deploy/standins/tests deploy/devstack/tests deploy/tests tests)

.PHONY: venv run seed test lint bench chaos clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PYTHON) || python3 -m venv .venv
	$(PYTHON) -m pip install -q -r requirements.lock
	$(PYTHON) -m pip install -q --no-deps -e .
	touch $@

run: venv
	$(PYTHON) -m devstack

seed: venv
	$(PYTHON) -m devstack.seed

test: venv
	$(PYTHON) -m pytest $(TEST_PATHS)

lint: venv
	$(PYTHON) -m ruff check shared services deploy tests bench chaos
	$(PYTHON) -m ruff format --check shared services deploy tests bench chaos
	MYPYPATH=$(MYPYPATH) $(PYTHON) -m mypy shared services deploy bench chaos
	$(PYTHON) -m pylint shared services bench chaos  # clones of six lines or more (pyproject.toml)

bench: venv
	$(PYTHON) -m bench $(BENCH_ARGS)

chaos: venv
	$(PYTHON) -m chaos

clean:
	rm -rf .run
