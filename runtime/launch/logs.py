"""Reading a connector's log file: `--since` by the timestamp that starts each line, and
following it as it grows (surviving truncation and the file appearing late)."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Iterator
from pathlib import Path

_STAMP = re.compile(
    r"^\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"\s?(Z|[+-]\d{2}:?\d{2})?"
)


def line_time(line: str) -> float | None:
    """Epoch seconds of an ISO-8601-ish timestamp at the start of `line`, if any.
    Without a zone the stamp is local time (Python logging's default)."""
    match = _STAMP.match(line)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = float(f"0.{match.group(7)}") if match.group(7) else 0.0
    zone = match.group(8)
    parts = (year, month, day, hour, minute, second)
    try:
        if zone is None:
            return time.mktime((*parts, 0, 0, -1)) + fraction
        base = calendar.timegm((*parts, 0, 0, 0)) + fraction
    except (OverflowError, ValueError):
        return None
    if zone == "Z":
        return base
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    return base - sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)


def read_lines(path: Path, *, since: float | None = None, tail: int | None = None
               ) -> tuple[list[str], int]:
    """Lines (without newline) at or after `since`, the last `tail` of them, and the byte
    offset where a follower should continue. Untimestamped lines (tracebacks) go with the
    line above them."""
    try:
        data = path.read_bytes()
    except OSError:
        return [], 0
    end = data.rfind(b"\n") + 1  # a half-written last line waits for the follower
    lines = data[:end].decode(errors="replace").splitlines()
    if since is not None:
        kept, current = [], None
        for line in lines:
            stamp = line_time(line)
            if stamp is not None:
                current = stamp
            if current is not None and current >= since:
                kept.append(line)
        lines = kept
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    return lines, end


class LogFollower:
    """New complete lines of a growing file, from a byte offset; survives truncation and
    the file appearing late. `poll()` never blocks, so async and sync callers share it."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self._pending = b""

    def poll(self) -> list[str]:
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        if size < self.offset:  # truncated or replaced: start over
            self.offset, self._pending = 0, b""
        if size <= self.offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read(size - self.offset)
        self.offset += len(chunk)
        self._pending += chunk
        cut = self._pending.rfind(b"\n") + 1
        if not cut:
            return []
        lines = self._pending[:cut].decode(errors="replace").splitlines()
        self._pending = self._pending[cut:]
        return lines


def follow_lines(path: Path, offset: int, *, poll_s: float = 0.2) -> Iterator[list[str]]:
    """Yield batches of new lines forever (an empty batch every idle poll, so callers can
    check whether to stop)."""
    follower = LogFollower(path, offset)
    while True:
        batch = follower.poll()
        yield batch
        if not batch:
            time.sleep(poll_s)
