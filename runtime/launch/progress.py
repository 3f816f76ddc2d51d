"""Progress and cancellation for long launcher work (building a connector image can take
minutes the first time): the worker reports steps through a callback and checks a
threading.Event between steps, so a UI can show where it is and stop it cleanly."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from runtime.errors import WeirError


class Cancelled(WeirError):
    """The user cancelled; whatever the operation had begun has been undone."""


@dataclass(frozen=True, slots=True)
class Step:
    text: str  # what is happening now, one line
    fraction: float | None = None  # 0..1 of the current phase when known
    detail: bool = False  # one of many small steps (a wheel): a log may leave it out


OnStep = Callable[[Step], None]


class Progress:
    """Where a long operation reports (`step`) and asks whether to go on (`check`)."""

    def __init__(self, on_step: OnStep | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.on_step = on_step
        self.cancel = cancel

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled when the user asked to stop."""
        if self.cancelled:
            raise Cancelled("cancelled by the user")

    def step(self, text: str, fraction: float | None = None, *, detail: bool = False) -> None:
        """Check for a cancel, then report `text`."""
        self.check()
        if self.on_step is not None:
            self.on_step(Step(text, fraction, detail))


QUIET = Progress()
