"""The wasmtime Engines a process uses.

The default engine has epoch interruption on (with its ticker thread) so every call can
be given a time limit. Epoch checks cost the guest time on every loop iteration (twice
the time of a search loop in our benchmark), so chains built with no time limit, and the
host's own codec, use a second engine without them."""

from __future__ import annotations

import threading

import wasmtime

from smartmodules.limits import EpochTicker

_lock = threading.Lock()
_engines: dict[bool, wasmtime.Engine] = {}
_ticker: EpochTicker | None = None


def engine_flags(timed: bool = True) -> str:
    """Part of the compiled-module cache key: artifacts of one engine don't load in another."""
    return "epoch-interruption" if timed else "plain"


def get_engine(timed: bool = True) -> wasmtime.Engine:
    """The shared Engine with (timed) or without epoch interruption."""
    global _ticker
    with _lock:
        engine = _engines.get(timed)
        if engine is None:
            config = wasmtime.Config()
            config.epoch_interruption = timed
            engine = _engines[timed] = wasmtime.Engine(config)
            if timed:
                _ticker = EpochTicker(engine)
        return engine


def wasmtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wasmtime")
    except PackageNotFoundError:  # pragma: no cover - vendored wasmtime
        return "unknown"
