"""Durations and byte sizes with Fluvio's semantics (humantime and bytesize crates).

Fluvio parses `linger: 1ms`, `interval: 10s`, `batch-size: 1 MB` with those crates, so a
value that works here works there and the error texts match what Fluvio prints.
"""

from __future__ import annotations

import re

from runtime.errors import WeirError


class ValueProblem(WeirError):
    """A duration or byte size that Fluvio would reject; `message` says why."""


_NS_PER = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_SEC = _NS_PER["s"]
# humantime's units (in ns); `m` is minutes and `M` months, months/years as humantime counts.
_DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("nsec", "ns"), 1),
    **dict.fromkeys(("usec", "us", "µs"), 1_000),
    **dict.fromkeys(("msec", "ms"), 1_000_000),
    **dict.fromkeys(("seconds", "second", "sec", "secs", "s"), _SEC),
    **dict.fromkeys(("minutes", "minute", "min", "mins", "m"), 60 * _SEC),
    **dict.fromkeys(("hours", "hour", "hr", "hrs", "h"), 3600 * _SEC),
    **dict.fromkeys(("days", "day", "d"), 86_400 * _SEC),
    **dict.fromkeys(("weeks", "week", "w"), 7 * 86_400 * _SEC),
    **dict.fromkeys(("months", "month", "M"), 2_630_016 * _SEC),
    **dict.fromkeys(("years", "year", "y"), 31_557_600 * _SEC),
}
_DURATION_PART = re.compile(r"(\d+)\s*([^\d\s]*)")
_UNIT_LIST = "ns, us, ms, s (sec), m (min), h, d, w, M (months), y"


def duration_problem(text: str) -> str | None:
    """Why `text` is not a humantime duration, or None when it is one."""
    try:
        parse_duration(text)
    except ValueProblem as exc:
        return exc.message
    return None


def parse_duration(text: str) -> int:
    """`1h 30m` -> 5_400_000 (milliseconds). Integer + unit, combinable; no bare numbers."""
    if not isinstance(text, str):
        raise ValueProblem(f"expected a duration like `10s`, got {text!r}")
    s = text.strip()
    if not s:
        raise ValueProblem("empty duration: write a number and a unit, for example 10s or 500ms")
    if s.isdigit():
        raise ValueProblem(f'invalid value: string "{text}", expected a duration '
                           "(time unit needed, for example 1sec or 1ms)")
    pos = 0
    total = 0  # nanoseconds
    while pos < len(s):
        if s[pos].isspace():
            pos += 1
            continue
        m = _DURATION_PART.match(s, pos)
        if not m or not m.group(1):
            ch = s[pos]
            if ch in ".,":
                raise ValueProblem(f"invalid duration `{text}`: no decimals, write `1s 500ms` "
                                   "instead of `1.5s`")
            raise ValueProblem(f"invalid duration `{text}`: expected a number at position {pos}")
        number, unit = m.group(1), m.group(2)
        if not unit:
            raise ValueProblem(f"invalid duration `{text}`: time unit needed, for example "
                               "1sec or 1ms")
        if unit.startswith((".", ",")):
            raise ValueProblem(f"invalid duration `{text}`: no decimals, write `1s 500ms` "
                               "instead of `1.5s`")
        if unit not in _DURATION_UNITS:
            raise ValueProblem(f'invalid duration `{text}`: unknown time unit "{unit}", '
                               f"supported units: {_UNIT_LIST}")
        total += int(number) * _DURATION_UNITS[unit]
        pos = m.end()
    if total // _SEC > 2**64 - 1:  # humantime keeps seconds in a u64
        raise ValueProblem(f"invalid duration `{text}`: number is too large")
    return total // 1_000_000


def parse_legacy_interval(text: str | int) -> int:
    """The legacy HTTP `interval`: a duration, or bare seconds as old releases took it."""
    if isinstance(text, int) and not isinstance(text, bool):
        return int(text) * 1000
    if isinstance(text, str) and text.strip().isdigit():
        return int(text.strip()) * 1000
    return parse_duration(text)


_BYTE_UNITS: dict[str, int] = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "ki": 1024, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mi": 1024**2, "mib": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gi": 1024**3, "gib": 1024**3,
    "t": 1000**4, "tb": 1000**4, "ti": 1024**4, "tib": 1024**4,
    "p": 1000**5, "pb": 1000**5, "pi": 1024**5, "pib": 1024**5,
}
_BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)\s*$")


def bytes_problem(text: str | int) -> str | None:
    """Why `text` is not a byte size, or None when it is one."""
    try:
        parse_bytes(text)
    except ValueProblem as exc:
        return exc.message
    return None


def parse_bytes(text: str | int) -> int:
    """`1 MB` -> 1_000_000, `1KiB` -> 1024, `512` -> 512 (bytesize semantics)."""
    if isinstance(text, bool):
        raise ValueProblem(f"expected a byte size like `1 MB`, got {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueProblem(f"byte size must not be negative, got {text}")
        return text
    if isinstance(text, float):
        text = repr(text)
    if not isinstance(text, str):
        raise ValueProblem(f"expected a byte size like `1 MB`, got {type(text).__name__}")
    m = _BYTES.match(text)
    if not m:
        raise ValueProblem(f'couldn\'t parse "{text}" into a known SI unit '
                           "(write a number and a unit, for example 1 MB, 512 KiB or 4096)")
    number, unit = m.group(1), m.group(2).lower()
    if unit not in _BYTE_UNITS:
        raise ValueProblem(f'couldn\'t parse "{m.group(2)}" into a known SI unit '
                           "(units: b, kb, kib, mb, mib, gb, gib, tb, pb; KB = 1000, KiB = 1024)")
    return int(float(number) * _BYTE_UNITS[unit])


def format_duration_ms(ms: int) -> str:
    """The shortest humantime text for `ms` (used when converting bare seconds)."""
    if ms == 0:
        return "0s"
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
