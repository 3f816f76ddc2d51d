"""Click parameter types for values with units, so a bad flag value is a usage error
(exit 2) that names the flag and says what would be valid, like every other bad flag."""

from __future__ import annotations

from collections.abc import Callable

import click

from runtime.topics.limits import MAX_INT64

_NO_LIMIT = ("forever", "infinite", "infinity", "unlimited", "none", "never", "off")


def _with_example(message: str, example: str) -> str:
    """The parser's reason, plus valid examples unless it already gives some."""
    return message if "for example" in message else f"{message} (valid: e.g. {example})"


def _no_limit(value: str, param: click.Parameter | None, example: str) -> str | None:
    """`--retention-time forever`: say that leaving the flag out is how to get that."""
    if str(value).strip().lower() not in _NO_LIMIT:
        return None
    flag = param.opts[-1] if param is not None and param.opts else "the flag"
    return f"`{value}` is not a value: leave {flag} out for no limit, or give one, e.g. {example}"


class _Quantity(click.ParamType):
    """A value with a unit, read by `parse` (a runtime.config.values parser raising
    ValueProblem); `positive` refuses 0."""

    noun = "value"
    unit = ""

    def __init__(self, parse: Callable[[str], int], *, positive: bool, example: str,
                 minimum: tuple[int, str] | None = None) -> None:
        self.parse = parse
        self.positive = positive
        self.example = example
        self.minimum = minimum  # (value, why), e.g. (65536, "one wasm page")

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        from runtime.config.values import ValueProblem

        unlimited = _no_limit(value, param, self.example)
        if unlimited:
            self.fail(unlimited, param, ctx)
        try:
            number = self.parse(value)
        except ValueProblem as exc:
            self.fail(_with_example(exc.message, self.example), param, ctx)
        if self.positive and number <= 0:
            self.fail(f"`{value}` is zero; give a positive {self.noun}, e.g. {self.example}",
                      param, ctx)
        if number > MAX_INT64:  # Fluvio's parsers go to 2^64-1; stored, it is an i64
            self.fail(f"`{value[:40]}` is too large: at most {MAX_INT64} {self.unit}, "
                      f"e.g. {self.example}", param, ctx)
        if self.minimum is not None and number < self.minimum[0]:
            least, why = self.minimum
            self.fail(f"`{value}` is below {why} ({least} {self.unit}); give at least that, "
                      f"e.g. {self.example}", param, ctx)
        return number


class Duration(_Quantity):
    """A humantime duration (`7d`, `1h 30m`) as milliseconds."""

    name = "duration"
    noun = "duration"
    unit = "ms"

    def __init__(self, *, positive: bool = True, example: str = "7d, 12h or 30m") -> None:
        from runtime.config.values import parse_duration

        super().__init__(parse_duration, positive=positive, example=example)


class TimeLimit(Duration):
    """A SmartModule call's time limit in milliseconds (`500ms`, `10s`, a bare number is
    milliseconds); `off` (or 0) is None: no limit."""

    def __init__(self) -> None:
        super().__init__(example="500ms, 10s or off")

    def convert(self, value, param, ctx) -> int | None:
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text in ("off", "none", "0"):
            return None
        if not text.isdigit():
            return super().convert(value, param, ctx)
        if len(text) > 19 or int(text) > MAX_INT64:
            self.fail(f"`{text[:40]}` is too large: at most {MAX_INT64} ms; `off` for no "
                      "limit", param, ctx)
        return int(text)


class ByteSize(_Quantity):
    """A byte size (`10MB`, `512 KiB`, `4096`) as bytes."""

    name = "size"
    noun = "size"
    unit = "bytes"

    def __init__(self, *, positive: bool = True, example: str = "10MB, 512KiB or 4096",
                 minimum: tuple[int, str] | None = None) -> None:
        from runtime.config.values import parse_bytes

        super().__init__(parse_bytes, positive=positive, example=example, minimum=minimum)


class Count(click.ParamType):
    """A whole number between `low` and `high`, with a message that says so."""

    name = "integer"

    def __init__(self, low: int, high: int, what: str) -> None:
        self.low, self.high, self.what = low, high, what

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip(), 10)
            except ValueError:
                self.fail(f"`{value}` is not a whole number; give the number of {self.what}, "
                          f"from {self.low} to {self.high}", param, ctx)
        if not self.low <= number <= self.high:
            self.fail(f"{number} {self.what} is out of range; valid: {self.low} to {self.high}",
                      param, ctx)
        return number
