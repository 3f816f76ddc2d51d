"""The one wasmtime Engine a process uses: epoch interruption on, ticker running."""

from __future__ import annotations

import threading

import wasmtime

from smartmodules.limits import EpochTicker

_lock = threading.Lock()
_engine: wasmtime.Engine | None = None
_ticker: EpochTicker | None = None

# part of the compiled-module cache key: a change here must not load stale artifacts
ENGINE_FLAGS = "epoch-interruption"


def get_engine() -> wasmtime.Engine:
    """The shared Engine; compiled modules and stores all hang off it."""
    global _engine, _ticker
    with _lock:
        if _engine is None:
            config = wasmtime.Config()
            config.epoch_interruption = True
            _engine = wasmtime.Engine(config)
            _ticker = EpochTicker(_engine)
        return _engine


def wasmtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wasmtime")
    except PackageNotFoundError:  # pragma: no cover - vendored wasmtime
        return "unknown"
