# chitieu: the two commands a new user types are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: setup system db run test test-fast bench clean

setup: $(VENV)/.installed system

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

system:
	bash scripts/setup-system.sh

# Create or upgrade the database, load the catalogue, load the demo data.
# Each step is a no-op when already done.
db: setup
	$(PY) -m etl init
	$(PY) -m etl demo

run: db
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser"

clean:
	rm -rf $(VENV) data/chitieu.duckdb data/chitieu.duckdb.wal
