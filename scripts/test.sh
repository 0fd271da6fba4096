#!/usr/bin/env bash
# The whole suite, in the order Sara's CI uses: lint, unit and action tests, the
# Rasa data check, Rasa test stories, then end-to-end tests (real servers, real
# browser). Called by `make test` after set-up and training.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
: "${RASA_MODEL:?RASA_MODEL must point at a trained model}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "lint (ruff)"
.venv/bin/ruff check procedures_catalog actions bot staff webchat tests bench

step "types (mypy)"
.venv/bin/mypy

step "rasa data validate"
.venv-rasa/bin/rasa data validate --config bot/config.yml --domain bot/domain --data data --fail-on-warnings

step "rasa test stories (--fail-on-prediction-errors)"
rm -rf tests/.artifacts/rasa-test
.venv-rasa/bin/rasa test core --model "$RASA_MODEL" --stories tests/stories \
    --endpoints bot/endpoints.yml --out tests/.artifacts/rasa-test --fail-on-prediction-errors

step "pytest (unit, actions, conversations, end to end, browser)"
.venv/bin/pytest -q -p no:cacheprovider tests
