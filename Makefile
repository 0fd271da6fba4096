# The two doors: `make run` (the assistant) and `make test` (the whole suite).
# Every target sets up what it needs first; a second run reuses what exists.
# `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
RASA_VENV   := .venv-rasa
PY          := $(VENV)/bin/python
RASA        := $(RASA_VENV)/bin/rasa
CATALOG     := $(VENV)/bin/catalog
RASA_CONFIG ?= bot/config.yml
MODEL_DIR   ?= models
TRAIN_INPUTS := $(RASA_CONFIG) $(wildcard bot/domain/*.yml) $(shell find data -name '*.yml' 2>/dev/null) $(wildcard bot/components/*.py) $(filter-out %/rewrites.yaml,$(wildcard procedures_catalog/data/language/*.yaml)) procedures_catalog/language.py

export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa would otherwise send usage telemetry (and error reports) to Rasa and Sentry.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run test test-fast lint bench train db clean clean-state browsers fonts ocr

help: ## Show this help
	@echo "Usage: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

SETUP_SCRIPTS := scripts/make-venv.sh scripts/check-venv.py scripts/check-platform.sh scripts/find-python310.sh

$(VENV)/.installed: requirements/catalog.lock pyproject.toml $(SETUP_SCRIPTS)
	scripts/make-venv.sh $(VENV) requirements/catalog.lock sqlalchemy alembic rasa_sdk telegram pytest
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . > $(VENV)/.editable.log 2>&1 || { cat $(VENV)/.editable.log; exit 1; }
	@test -x $(CATALOG) || { echo "error: catalog command was not installed"; exit 1; }
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.lock $(SETUP_SCRIPTS)
	scripts/make-venv.sh $(RASA_VENV) requirements/rasa.lock rasa tensorflow tensorflow_text
	touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed db fonts ## Create both environments and the catalogue database

db: $(VENV)/.installed ## Create or upgrade the catalogue database (filled on first use)
	@$(CATALOG) init

$(MODEL_DIR)/.trained-$(notdir $(RASA_CONFIG)): $(RASA_VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p $(MODEL_DIR)
	$(RASA) train --config $(RASA_CONFIG) --domain bot/domain --data data --out $(MODEL_DIR) --fixed-model-name tthc-$(basename $(notdir $(RASA_CONFIG)))
	@rm -f $(MODEL_DIR)/.trained-*
	touch $@

train: $(MODEL_DIR)/.trained-$(notdir $(RASA_CONFIG)) ## Train the Rasa model when the data or config changed (and only then)

run: setup train ## Set up if needed, then run the assistant (Ctrl-C stops it)
	@MODEL=$(MODEL_DIR)/tthc-$(basename $(notdir $(RASA_CONFIG))).tar.gz scripts/run.sh

test: setup browsers ocr train ## Set up if needed, then run the whole test suite
	RASA_MODEL=$(MODEL_DIR)/tthc-$(basename $(notdir $(RASA_CONFIG))).tar.gz scripts/test.sh

test-fast: $(VENV)/.installed ## Unit tests only (no Rasa, no browser)
	$(VENV)/bin/pytest -q -m "not e2e and not browser" tests

browsers: $(VENV)/.installed ## Install what the browser tests need (Debian's chromium)
	@scripts/ensure-chromium.sh

fonts: ## Install the checklist card's fonts (Debian's fonts-dejavu-core)
	@scripts/ensure-debian-packages.sh fonts

ocr: ## Install what the card tests read images with (Debian's tesseract-ocr, -vie, zbar-tools)
	@scripts/ensure-debian-packages.sh ocr

lint: $(VENV)/.installed ## ruff and mypy on the libraries
	$(VENV)/bin/ruff check procedures_catalog actions bot staff webchat tests bench
	$(VENV)/bin/mypy

bench: setup train ## Run every benchmark and print its figures (about half an hour: 10,000 conversations)
	$(PY) bench/search_accuracy.py
	$(PY) bench/search_accuracy.py --set indep
	$(PY) bench/search_accuracy.py --set blind
	$(PY) bench/search_latency.py
	$(PY) bench/train_ranker.py
	$(RASA_VENV)/bin/python bench/nlu_folding.py
	$(PY) bench/dialogue_accuracy.py
	$(PY) bench/turn_latency.py --train
	$(PY) bench/dossier_card.py

clean: ## Remove what can be rebuilt: environments and models (keeps var/, the runtime state)
	rm -rf $(VENV) $(RASA_VENV) $(MODEL_DIR)

clean-state: ## DELETE the runtime state in var/: catalogue database, staff accounts, edits, audit trail, conversations
	rm -rf var data/catalog.sqlite3*
