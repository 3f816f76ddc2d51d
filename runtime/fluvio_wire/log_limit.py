"""Lines about misbehaving clients, rate-limited: a flood of garbage connections must not
fill the daemon's log (and the disk under it) as fast as it can connect."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("weir.fluvio")


class LimitedLog:
    """At most `burst` lines per `window_s` seconds; the next line after a quiet spell
    says how many were left out."""

    def __init__(self, burst: int = 20, window_s: float = 60.0) -> None:
        self.burst = burst
        self.window_s = window_s
        self._window_start = 0.0
        self._lines = 0
        self._dropped = 0

    def __call__(self, level: int, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._window_start >= self.window_s:
            if self._dropped:
                log.log(level, "fluvio: %d more lines like these were left out",
                        self._dropped)
            self._window_start, self._lines, self._dropped = now, 0, 0
        if self._lines >= self.burst:
            self._dropped += 1
            return
        self._lines += 1
        log.log(level, message, *args)


client_trouble = LimitedLog()
