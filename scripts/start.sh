#!/usr/bin/env bash
# Install Weir into .venv, prepare the offline demo on the embedded store, open the workbench.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -m venv --help >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi
# A venv left half-made by an interrupted run has python but no pip: make it again.
[ -x .venv/bin/python ] && [ -x .venv/bin/pip ] || { rm -rf .venv; "$PY" -m venv .venv; }
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
.venv/bin/weir demo
exec .venv/bin/weir
