"""The duration and byte-size parsers agree with the Rust crates Fluvio uses on every
string, not just the examples: each is checked against a step-by-step transcription of
the crate's own control flow (humantime 2.x `Parser::parse`, bytesize 1.x `FromStr`),
written here independently of runtime.config.values and its fast paths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.config.values import ValueProblem, parse_bytes, parse_duration

U64 = 2**64 - 1
HUMANTIME_UNITS = {
    **dict.fromkeys(("nanos", "nsec", "ns"), (0, 1)),
    **dict.fromkeys(("usec", "us", "µs"), (0, 1_000)),
    **dict.fromkeys(("millis", "msec", "ms"), (0, 1_000_000)),
    **dict.fromkeys(("seconds", "second", "secs", "sec", "s"), (1, 0)),
    **dict.fromkeys(("minutes", "minute", "min", "mins", "m"), (60, 0)),
    **dict.fromkeys(("hours", "hour", "hr", "hrs", "h"), (3600, 0)),
    **dict.fromkeys(("days", "day", "d"), (86400, 0)),
    **dict.fromkeys(("weeks", "week", "w"), (604800, 0)),
    **dict.fromkeys(("months", "month", "M"), (2_630_016, 0)),
    **dict.fromkeys(("years", "year", "y"), (31_557_600, 0)),
}


class Fail(Exception):
    pass


def humantime(src: str) -> tuple[int, int]:
    """humantime's Parser::parse, statement by statement: (secs, nanos)."""
    chars = list(src)
    pos = 0
    current = [0, 0]

    def first_char():
        nonlocal pos
        while pos < len(chars):
            c = chars[pos]
            pos += 1
            if "0" <= c <= "9":
                return ord(c) - 48
            if c.isspace():
                continue
            raise Fail("NumberExpected")
        return None

    def unit(n, start, end):
        name = "".join(chars[start:end])
        if name not in HUMANTIME_UNITS:
            raise Fail("UnknownUnit")
        mult, nmult = HUMANTIME_UNITS[name]
        sec, nsec = n * mult, n * nmult
        if sec > U64 or nsec > U64:
            raise Fail("NumberOverflow")
        nsec += current[1]
        if nsec > U64:
            raise Fail("NumberOverflow")
        if nsec > 1_000_000_000:
            sec += nsec // 1_000_000_000
            nsec %= 1_000_000_000
        sec += current[0]
        if sec > U64:
            raise Fail("NumberOverflow")
        current[:] = [sec, nsec]

    n = first_char()
    if n is None:
        raise Fail("Empty")
    while True:
        off = pos
        while pos < len(chars):
            c = chars[pos]
            pos += 1
            if "0" <= c <= "9":
                n = n * 10 + ord(c) - 48
                if n > U64:
                    raise Fail("NumberOverflow")
            elif c.isspace():
                pass
            elif ("a" <= c <= "z") or ("A" <= c <= "Z") or c == "µ":
                break
            else:
                raise Fail("InvalidCharacter")
            off = pos
        start = off
        off = pos
        restart = False
        while pos < len(chars):
            c = chars[pos]
            pos += 1
            if "0" <= c <= "9":
                unit(n, start, off)
                n = ord(c) - 48
                restart = True
                break
            if c.isspace():
                break
            if ("a" <= c <= "z") or ("A" <= c <= "Z") or c == "µ":
                pass
            else:
                raise Fail("InvalidCharacter")
            off = pos
        if restart:
            continue
        unit(n, start, off)
        n = first_char()
        if n is None:
            return current[0], current[1]


BYTESIZE_UNITS = {"b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2,
                  "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
                  "p": 1000**5, "pb": 1000**5, "ki": 1024, "kib": 1024, "mi": 1024**2,
                  "mib": 1024**2, "gi": 1024**3, "gib": 1024**3, "ti": 1024**4,
                  "tib": 1024**4, "pi": 1024**5, "pib": 1024**5}


def bytesize(value: str) -> int:
    """bytesize's `impl FromStr for ByteSize`, statement by statement."""
    body = value[1:] if value.startswith("+") else value
    if body and all("0" <= c <= "9" for c in body) and int(body) <= U64:
        return int(body)  # value.parse::<u64>()
    number = ""
    for c in value:  # take_while(is_digit(10) || '.')
        if not ("0" <= c <= "9" or c == "."):
            break
        number += c
    if number in ("", ".") or number.count(".") > 1:
        raise Fail("couldn't parse into a ByteSize")  # number.parse::<f64>() failed
    i = 0
    while i < len(value) and (value[i].isspace() or "0" <= value[i] <= "9" or value[i] == "."):
        i += 1  # skip_while(whitespace || digit || '.')
    suffix = value[i:].lower()
    if suffix not in BYTESIZE_UNITS:
        raise Fail("couldn't parse into a known SI unit")
    size = float(number) * BYTESIZE_UNITS[suffix]
    return U64 if size >= U64 else int(size)


def ours_duration(text: str):
    try:
        return parse_duration(text)
    except ValueProblem:
        return None


def rust_duration(text: str):
    try:
        secs, nanos = humantime(text)
    except Fail:
        return None
    return (secs * 1_000_000_000 + nanos) // 1_000_000


def ours_bytes(text: str):
    try:
        return parse_bytes(text)
    except ValueProblem:
        return None


def rust_bytes(text: str):
    try:
        return bytesize(text)
    except Fail:
        return None


DURATION_TEXT = st.lists(st.sampled_from(
    ["1", "0", "10", "250", "9", " ", "  ", "s", "ms", "m", "min", "h", "M", "d", "w", "y",
     "ns", "us", "µs", "nanos", "millis", "sec", "secs", "hours", "x", ".", ",", "-", "\t",
     "18446744073709551615", "99999999999999999999"]), max_size=6).map("".join)
BYTES_TEXT = st.lists(st.sampled_from(
    ["1", "0", "44", "5", ".", " ", "KB", "kb", "KiB", "MB", "mib", "g", "Gi", "pb", "b",
     "B", "x", "+", "-", "e", "18446744073709551615", "18446744073709551616"]),
    max_size=5).map("".join)


@settings(max_examples=600, deadline=None)
@given(DURATION_TEXT)
def test_durations_match_humantime(text):
    assert ours_duration(text) == rust_duration(text), text


@settings(max_examples=600, deadline=None)
@given(BYTES_TEXT)
def test_byte_sizes_match_bytesize(text):
    assert ours_bytes(text) == rust_bytes(text), text


def test_the_transcriptions_on_the_crates_own_examples():
    assert humantime("2h 37min") == (9420, 0) and humantime("32ms") == (0, 32_000_000)
    assert bytesize("1.5 KiB") == 1536 and bytesize("44.0 MB") == 44_000_000
