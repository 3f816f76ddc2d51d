"""When a crashed connector comes back, and when the supervisor gives up on it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from runtime.errors import EnvironmentProblem

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


def _seconds(variable: str, default: float) -> float:
    text = os.environ.get(variable)
    if not text:
        return default
    match = _DURATION.match(text)
    if not match:
        raise EnvironmentProblem(
            f"{variable}={text!r} is not a duration", hint="use e.g. 500ms, 2s or 1m"
        )
    value = float(match.group(1))
    return value * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """Exponential backoff after a crash; `max_fast_crashes` crashes in a row, each within
    `fast_run_s` of its start, end in `Failed` instead of a restart loop forever."""

    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    fast_run_s: float = 10.0
    max_fast_crashes: int = 5
    stop_timeout_s: float = 10.0

    @classmethod
    def from_env(cls) -> RestartPolicy:
        """Overrides for tests and impatient users: WEIR_RESTART_BACKOFF, ..._MAX_BACKOFF,
        WEIR_RESTART_FAST_RUN, WEIR_RESTART_MAX_FAST, WEIR_STOP_TIMEOUT."""
        max_fast = os.environ.get("WEIR_RESTART_MAX_FAST", "")
        if max_fast and not max_fast.isdigit():
            raise EnvironmentProblem(f"WEIR_RESTART_MAX_FAST={max_fast!r} is not a number")
        base = cls()
        return cls(
            initial_backoff_s=_seconds("WEIR_RESTART_BACKOFF", base.initial_backoff_s),
            max_backoff_s=_seconds("WEIR_RESTART_MAX_BACKOFF", base.max_backoff_s),
            fast_run_s=_seconds("WEIR_RESTART_FAST_RUN", base.fast_run_s),
            max_fast_crashes=int(max_fast) if max_fast else base.max_fast_crashes,
            stop_timeout_s=_seconds("WEIR_STOP_TIMEOUT", base.stop_timeout_s),
        )

    def backoff(self, crashes_in_a_row: int) -> float:
        """0.5s, 1s, 2s, ... capped: the n-th crash in a row waits initial * 2**(n-1)."""
        exponent = max(0, crashes_in_a_row - 1)
        return min(self.max_backoff_s, self.initial_backoff_s * (2 ** min(exponent, 30)))
