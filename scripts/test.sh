#!/usr/bin/env bash
# Install everything the tests need (Debian packages, a venv with the test extras), start
# the Docker engine if it is not running, run the whole suite, stop what we started.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv git tmux
  rustc cargo libstd-rust-dev-wasm32 lld-14 clang lld
  mosquitto postgresql redis-server
  docker.io debootstrap
)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  # The official Node client's test needs node and npm; a machine may have them already.
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Debian starts some services on install; the tests start their own on free ports.
  for svc in mosquitto postgresql redis-server; do service "$svc" stop >/dev/null 2>&1 || true; done
fi

PY=${PYTHON:-python3}
# A venv left half-made by an interrupted run has python but no pip: make it again.
[ -x .venv/bin/python ] && [ -x .venv/bin/pip ] || { rm -rf .venv; "$PY" -m venv .venv; }
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'

started_dockerd=""
docker_alive() { command -v docker >/dev/null && timeout 10 docker version >/dev/null 2>&1; }
if command -v dockerd >/dev/null && [ "$(id -u)" = 0 ] && ! docker_alive; then
  # A socket or pid file left by an engine that died would stop a new one from starting.
  rm -f /var/run/docker.sock /var/run/docker.pid
  dockerd >/tmp/weir-dockerd.log 2>&1 &
  started_dockerd=$!
  for _ in $(seq 120); do docker_alive && break; sleep 0.5; done
fi
cleanup() {
  if [ -n "$started_dockerd" ]; then kill "$started_dockerd" 2>/dev/null || true; wait "$started_dockerd" 2>/dev/null || true; fi
}
trap cleanup EXIT

export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
