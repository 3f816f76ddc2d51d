"""Durations and byte sizes with Fluvio's semantics (humantime and bytesize crates).

Fluvio parses `linger: 1ms`, `interval: 10s`, `batch-size: 1 MB` with those crates, so a
value that works here works there and the error texts match what Fluvio prints.
"""

from __future__ import annotations

import re

from runtime.errors import WeirError


class ValueProblem(WeirError):
    """A duration or byte size that Fluvio would reject; `message` says why."""


_SEC = 1_000_000_000
# humantime's units (in ns), exactly the spellings it accepts; `m` is minutes, `M` months.
_DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("nanos", "nsec", "ns"), 1),
    **dict.fromkeys(("usec", "us", "µs"), 1_000),
    **dict.fromkeys(("millis", "msec", "ms"), 1_000_000),
    **dict.fromkeys(("seconds", "second", "secs", "sec", "s"), _SEC),
    **dict.fromkeys(("minutes", "minute", "min", "mins", "m"), 60 * _SEC),
    **dict.fromkeys(("hours", "hour", "hr", "hrs", "h"), 3600 * _SEC),
    **dict.fromkeys(("days", "day", "d"), 86_400 * _SEC),
    **dict.fromkeys(("weeks", "week", "w"), 7 * 86_400 * _SEC),
    **dict.fromkeys(("months", "month", "M"), 2_630_016 * _SEC),
    **dict.fromkeys(("years", "year", "y"), 31_557_600 * _SEC),
}
_ONE_SPAN = re.compile(r"\s*([0-9]{1,20})\s*([A-Za-zµ]+)\s*")
_UNIT_LIST = "ns, us, ms, s (sec), m (min), h, d, w, M (months), y"
_U64 = 2**64 - 1


def duration_problem(text: str) -> str | None:
    """Why `text` is not a humantime duration, or None when it is one."""
    try:
        parse_duration(text)
    except ValueProblem as exc:
        return exc.message
    return None


def _span_ns(number: int, unit: str) -> int | None:
    """`number` `unit` in nanoseconds, or None where humantime's u64 multiplication would
    overflow (it multiplies seconds for units of a second or more, nanoseconds below)."""
    size = _DURATION_UNITS[unit]
    factor = size // _SEC if size >= _SEC else size
    if number > _U64 or number * factor > _U64:
        return None
    return number * size


def _ascii_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_unit_char(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "µ"


def parse_duration(text: str) -> int:
    """`1h 30m` -> 5_400_000 (milliseconds), read as humantime reads it: spans of digits
    and a unit, whitespace allowed anywhere between them (`1 0s` is 10 s), no decimals and
    no bare numbers."""
    if not isinstance(text, str):
        raise ValueProblem(f"expected a duration like `10s`, got {text!r}")
    fast = _ONE_SPAN.fullmatch(text)  # `10s`, ` 500 ms `: one span, the common case
    if fast and fast.group(2) in _DURATION_UNITS:
        span = _span_ns(int(fast.group(1)), fast.group(2))
        if span is not None and span // _SEC <= _U64:
            return span // 1_000_000
    if not text.strip():
        raise ValueProblem("empty duration: write a number and a unit, for example 10s or 500ms")
    total = 0  # nanoseconds
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos == end:
            break
        if not _ascii_digit(text[pos]):
            raise ValueProblem(f"invalid duration `{text}`: expected a number at position {pos}")
        number = 0
        while pos < end and (_ascii_digit(text[pos]) or text[pos].isspace()):
            if _ascii_digit(text[pos]):
                number = number * 10 + int(text[pos])
                if number > _U64:
                    raise ValueProblem(f"invalid duration `{text}`: number is too large")
            pos += 1
        if pos < end and not _is_unit_char(text[pos]):
            if text[pos] in ".,":
                raise ValueProblem(f"invalid duration `{text}`: no decimals, write `1s 500ms` "
                                   "instead of `1.5s`")
            raise ValueProblem(f"invalid duration `{text}`: invalid character at position "
                               f"{pos}")
        start = pos
        while pos < end and _is_unit_char(text[pos]):
            pos += 1
        unit = text[start:pos]
        if pos < end and not (_ascii_digit(text[pos]) or text[pos].isspace()):
            raise ValueProblem(f"invalid duration `{text}`: invalid character at position "
                               f"{pos}")
        if not unit:
            if text.strip().isascii() and text.strip().isdigit():
                raise ValueProblem(f'invalid value: string "{text}", expected a duration '
                                   "(time unit needed, for example 1sec or 1ms)")
            raise ValueProblem(f"invalid duration `{text}`: time unit needed, for example "
                               f"{number}sec or {number}ms")
        if unit not in _DURATION_UNITS:
            raise ValueProblem(f'invalid duration `{text}`: unknown time unit "{unit}", '
                               f"supported units: {_UNIT_LIST}")
        span = _span_ns(number, unit)
        if span is None:
            raise ValueProblem(f"invalid duration `{text}`: number is too large")
        total += span
        if total // _SEC > _U64:
            raise ValueProblem(f"invalid duration `{text}`: number is too large")
    return total // 1_000_000


def parse_legacy_interval(text: str | int) -> int:
    """The legacy HTTP `interval`: a duration, or bare seconds as old releases took it."""
    if isinstance(text, int) and not isinstance(text, bool):
        return int(text) * 1000
    if isinstance(text, str) and text.strip().isdigit():
        if len(text.strip()) > 20:  # (and int() refuses over 4300 digits)
            raise ValueProblem(f"invalid interval `{text.strip()[:40]}`: number is too large")
        return int(text.strip()) * 1000
    return parse_duration(text)


_BYTE_UNITS: dict[str, int] = {
    "b": 1,
    "k": 1000, "kb": 1000, "ki": 1024, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mi": 1024**2, "mib": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gi": 1024**3, "gib": 1024**3,
    "t": 1000**4, "tb": 1000**4, "ti": 1024**4, "tib": 1024**4,
    "p": 1000**5, "pb": 1000**5, "pi": 1024**5, "pib": 1024**5,
}
_NUMBER_UNIT = re.compile(r"([0-9]{1,25}(?:\.[0-9]*)?|\.[0-9]+) ?([A-Za-z]{1,3})")
_UNITS_TEXT = "b, kb, kib, mb, mib, gb, gib, tb, pb; KB = 1000, KiB = 1024"


def bytes_problem(text: str | int) -> str | None:
    """Why `text` is not a byte size, or None when it is one."""
    try:
        parse_bytes(text)
    except ValueProblem as exc:
        return exc.message
    return None


def parse_bytes(text: str | int) -> int:
    """`1 MB` -> 1_000_000, `1KiB` -> 1024, `512` -> 512, read as the bytesize crate reads
    it: a whole number of bytes, or a number (decimals allowed, no leading space) then an
    optional space and a unit in any case, nothing after it. A number without a unit must
    be whole (`1.5` is refused, `1.5 KB` is 1500)."""
    if isinstance(text, bool):
        raise ValueProblem(f"expected a byte size like `1 MB`, got {text!r}")
    if isinstance(text, int):
        if text < 0 or text > _U64:
            raise ValueProblem(f"byte size must be between 0 and 2^64-1, got {text}")
        return text
    if not isinstance(text, str):
        raise ValueProblem(f"expected a byte size like `1 MB` or a whole number of bytes, "
                           f"got {type(text).__name__}")
    fast = _NUMBER_UNIT.fullmatch(text)  # `1 MB`, `44.0 MB`, `1KiB`: the common case
    if fast and fast.group(2).lower() in _BYTE_UNITS:
        size = float(fast.group(1)) * _BYTE_UNITS[fast.group(2).lower()]
        return _U64 if size >= _U64 else int(size)
    # (over 25 digits is over 2^64 anyway, and int() refuses over 4300)
    if re.fullmatch(r"\+?[0-9]{1,25}", text) and int(text) <= _U64:
        return int(text)
    i = 0
    while i < len(text) and (_ascii_digit(text[i]) or text[i] == "."):
        i += 1
    number = text[:i]
    if not re.fullmatch(r"[0-9]+\.?[0-9]*|\.[0-9]+", number):
        raise ValueProblem(f'couldn\'t parse "{text}" into a byte size (write a number and a '
                           "unit, for example 1 MB, 512 KiB or 4096)")
    while i < len(text) and (text[i].isspace() or _ascii_digit(text[i]) or text[i] == "."):
        i += 1
    unit = text[i:]
    if unit.lower() not in _BYTE_UNITS:
        shown = f'"{unit}"' if unit else "nothing"
        raise ValueProblem(f"couldn't parse {shown} into a known SI unit in `{text}` "
                           f"(units: {_UNITS_TEXT}; a number without a unit must be whole)")
    size = float(number) * _BYTE_UNITS[unit.lower()]  # inf for a huge number
    return _U64 if size >= _U64 else int(size)  # Rust's `as u64` saturates


def format_duration_ms(ms: int) -> str:
    """The shortest humantime text for `ms` (used when converting bare seconds)."""
    if ms == 0:
        return "0s"
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
