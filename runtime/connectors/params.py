"""Typed access to a connector's parameters, whichever spelling the YAML used.

Legacy files write `output-type` as often as `output_type`, and the loader may hand over
numbers as strings (legacy parameters are stringified). Connectors read through `Params`
so every built-in accepts both, and a wrong value fails at start naming the parameter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from runtime.errors import WeirError
from runtime.topics.limits import MAX_INT64

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class ParameterError(WeirError):
    """A parameter the connector cannot use: names the connector and the parameter."""


class Params:
    """Read-only view of `spec.parameters` for one connector."""

    def __init__(self, connector: str, values: Mapping[str, Any]) -> None:
        self.connector = connector
        self._values = {_norm(k): v for k, v in values.items()}

    def has(self, name: str) -> bool:
        return self._values.get(_norm(name)) is not None

    def raw(self, name: str, default: Any = None) -> Any:
        value = self._values.get(_norm(name))
        return default if value is None else value

    def _fail(self, name: str, value: Any, expected: str) -> ParameterError:
        return ParameterError(
            f"connector `{self.connector}`: parameter `{name}` is {value!r}, expected {expected}"
        )

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise ParameterError(
                    f"connector `{self.connector}`: parameter `{name}` is required"
                )
            return default
        if isinstance(value, (dict, list)):
            raise self._fail(name, value, "a string")
        return str(value)

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = (self.str(name) or default).strip().lower()
        if value not in choices:
            raise self._fail(name, value, "one of " + ", ".join(choices))
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise self._fail(name, value, "true or false")

    def int(self, name: str, default: int | None = None, *, minimum: int = 0) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            raise self._fail(name, value, "a whole number") from None
        if not minimum <= number <= MAX_INT64:
            raise self._fail(name, value, f"a number from {minimum} to {MAX_INT64}")
        return number

    def float(self, name: str, default: float | None = None) -> float | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(str(value).strip())
        except ValueError:
            raise self._fail(name, value, "a number") from None
        if not 0 < number < math.inf:  # (nan fails too)
            raise self._fail(name, value, "a number above 0")
        return number

    def duration_ms(self, name: str, default_ms: int, *, bare_unit_ms: int | None = None) -> int:
        """A humantime duration (`10s`, `1h 30m`), an int of ms from the loader, or
        `{secs, nanos}`; a bare number only where legacy allowed it (`bare_unit_ms`)."""
        from runtime.config.values import parse_duration

        value = self.raw(name)
        if value is None:
            return default_ms
        if isinstance(value, bool):
            raise self._fail(name, value, "a duration such as 10s")
        if isinstance(value, dict):
            try:
                return int(value.get("secs", 0)) * 1000 + int(value.get("nanos", 0)) // 1_000_000
            except (TypeError, ValueError):
                raise self._fail(name, value, "{secs: N, nanos: N}") from None
        text = str(value).strip()
        if isinstance(value, int) or text.isdigit():
            if not isinstance(value, int) and bare_unit_ms is None:
                raise self._fail(name, value, "a duration with a unit, for example 10s or 500ms")
            number = value if isinstance(value, int) else int(text[:30])
            ms = number * (bare_unit_ms or 1)
            if not 0 <= ms <= MAX_INT64 or len(text) > 30:
                raise self._fail(name, value, "a duration from 0 to 292 million years")
            return ms
        try:
            return parse_duration(text)
        except WeirError as exc:
            raise self._fail(name, value, f"a duration such as 10s ({exc.message})") from None
        except ValueError as exc:
            raise self._fail(name, value, f"a duration such as 10s ({exc})") from None

    def str_list(self, name: str) -> list[str]:
        """A list of strings; one string is a one-item list; a JSON-encoded list is decoded."""
        value = self.raw(name)
        if value is None:
            return []
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    decoded = json.loads(text)
                except ValueError:
                    return [value]
                if isinstance(decoded, list):
                    return [_as_text(v) for v in decoded]
            return [value]
        if isinstance(value, (list, tuple)):
            return [_as_text(v) for v in value]
        raise self._fail(name, value, "a string or a list of strings")

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.raw(name)
        if value is None:
            return {}
        if isinstance(value, str) and value.strip().startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        if not isinstance(value, dict):
            raise self._fail(name, value, "a map")
        return {_norm(k): v for k, v in value.items()}


def _norm(key: str) -> str:
    return str(key).strip().replace("-", "_").lower()


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def parse_headers(connector: str, lines: list[str]) -> list[tuple[str, str]]:
    """`"Key: Value"` lines, split on the first colon, as the HTTP connectors take them."""
    headers: list[tuple[str, str]] = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ParameterError(
                f"connector `{connector}`: header {line!r} is not of the form `Name: value`"
            )
        headers.append((name.strip(), value.strip()))
    return headers
