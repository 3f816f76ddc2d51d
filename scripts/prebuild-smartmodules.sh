#!/usr/bin/env bash
# Rebuild the example SmartModules (examples/smartmodules/*/) with `weir smartmodule build`
# and copy each .wasm into examples/smartmodules/prebuilt/, so demos and tests run without
# cargo. Needs a Rust toolchain with the wasm32-unknown-unknown target.
set -euo pipefail
cd "$(dirname "$0")/.."
WEIR=${WEIR:-.venv/bin/weir}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/smartmodules}
mkdir -p examples/smartmodules/prebuilt
for crate in examples/smartmodules/*/; do
  [ -f "$crate/Cargo.toml" ] || continue
  artifact=$("$WEIR" smartmodule build "$crate")
  cp "$artifact" examples/smartmodules/prebuilt/
  echo "prebuilt/$(basename "$artifact") <- $crate" >&2
done
