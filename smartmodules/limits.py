"""Limits Fluvio lacks: a memory cap per module and a time limit per call.

The time limit uses wasmtime's epoch interruption: one daemon thread bumps the engine's
epoch every TICK_MS, and each call sets its deadline in ticks before entering the guest,
so a runaway loop traps instead of hanging the process.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

DEFAULT_MEMORY_LIMIT = 1_000_000_000  # bytes per module memory, as Fluvio
DEFAULT_TIME_LIMIT_MS = 10_000  # per call
TICK_MS = 10


@dataclass(frozen=True, slots=True)
class Limits:
    memory_limit: int = DEFAULT_MEMORY_LIMIT
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS  # None: no limit, no epoch checks

    def __post_init__(self) -> None:
        if self.memory_limit < 65536:
            raise ValueError(f"memory limit {self.memory_limit} is below one wasm page "
                             "(65536 bytes)")
        if self.time_limit_ms is not None and self.time_limit_ms <= 0:
            raise ValueError(f"time limit must be positive, got {self.time_limit_ms} ms")

    @property
    def timed(self) -> bool:
        return self.time_limit_ms is not None

    @property
    def deadline_ticks(self) -> int:
        """Ticks to allow; one extra because the current tick may be almost over."""
        if self.time_limit_ms is None:
            return 0
        return math.ceil(self.time_limit_ms / TICK_MS) + 1


class EpochTicker:
    """A daemon thread incrementing an engine's epoch; started once per engine."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self._thread = threading.Thread(target=self._run, name="weir-wasm-epoch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = TICK_MS / 1000
        engine = self._engine
        while True:
            time.sleep(interval)
            engine.increment_epoch()
