# Two commands: `make run` (parse data/raw into data/processed) and `make test` (the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]-*.py))

.PHONY: run test lint lab bench clean system-deps

# Debian packages the Python wheels do not carry: LibreOffice (legacy .doc/.wps and PDF fixtures)
# and CJK fonts (Chinese in plots and rendered PDFs). On other systems install the equivalents.
APT_PACKAGES := libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei

system-deps:
	@if command -v soffice >/dev/null && fc-list :lang=zh | grep -q .; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	else echo "Install LibreOffice and a CJK font, e.g.: sudo apt-get install $(APT_PACKAGES)"; fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The .py files are the notebooks' source; the executed .ipynb are generated from them.
run: system-deps $(STAMP)
	$(BIN)/govreports parse data/raw -o data/processed
	$(BIN)/python -m ipykernel install --sys-prefix --name govreports --display-name "Python (govreports)" >/dev/null
	for source in $(NOTEBOOKS); do \
		$(BIN)/jupytext --quiet --update --to ipynb $$source && \
		$(BIN)/python notebooks/run.py $${source%.py}.ipynb || exit 1; \
	done

test: system-deps $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

# JupyterLab on the notebooks; their kernel (python3) is this environment's Python.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: system-deps $(STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/pdf.py
	$(BIN)/python benchmarks/solver.py
	$(BIN)/python benchmarks/formats.py

# Everything make run and make test write: the environment, the parsed dataset (its partitioned
# folders and ledger too) and the notebooks' figures and tables.
clean:
	rm -rf $(VENV)
	find data/processed figures tables -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
