"""Exponential backoff with jitter, shared by every connector that reconnects or retries."""

from __future__ import annotations

import random


class Backoff:
    """Delays min, 2*min, 4*min ... capped at max, each with up to 20% jitter."""

    def __init__(self, min_ms: int = 500, max_ms: int = 30_000, factor: float = 2.0) -> None:
        self.min_ms = max(1, min_ms)
        self.max_ms = max(self.min_ms, max_ms)
        self.factor = factor
        self.attempts = 0

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt."""
        base = min(self.max_ms, self.min_ms * self.factor**self.attempts)
        self.attempts += 1
        return base * (1 + random.uniform(0, 0.2)) / 1000

    def reset(self) -> None:
        self.attempts = 0
