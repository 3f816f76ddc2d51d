"""Fixtures for SmartModule tests. For tests that run cargo: one CARGO_TARGET_DIR for the
whole session, so the standard library is linked once and same-named crates are not rebuilt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from smartmodules.toolchain import find_toolchain


@pytest.fixture(scope="session")
def cargo_target_dir(tmp_path_factory) -> Path:
    try:
        find_toolchain()
    except Exception as exc:  # noqa: BLE001 - the reason is the skip message
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Rust toolchain with the wasm32 target: {exc}")
    directory = tmp_path_factory.mktemp("cargo-target")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def cargo_env(cargo_target_dir: Path, monkeypatch) -> dict[str, str]:
    """Environment for `weir` subprocesses (and in-process builds) sharing the target dir."""
    monkeypatch.setenv("CARGO_TARGET_DIR", str(cargo_target_dir))
    return {"CARGO_TARGET_DIR": str(cargo_target_dir)}
