"""The generator-source's template language, read in one place: `weir validate` refuses
what the generator could not render, and the generator renders what validate accepted.

Placeholders are written `{{name}}` (or `{name}`): `n`, `time`, `timestamp`, `uuid`,
`random_int` (0-99), `random_int:LO:HI` (also `LO..HI`), `choice:a|b|c`; `random` is the
old spelling of `random_int`.
"""

from __future__ import annotations

import re

from pydantic_core import PydanticCustomError

NAMES = ("n", "timestamp", "time", "uuid", "random_int", "random", "choice")
_NAMES = "|".join(NAMES)
_PLACEHOLDER = re.compile(
    r"\{\{\s*(" + _NAMES + r")(?::([^}]*))?\s*\}\}|\{(" + _NAMES + r")(?::([^}\"]*))?\}")
_ANY_DOUBLE = re.compile(r"\{\{\s*([a-z_]+)(?::[^}]*)?\s*\}\}")
_RANGE = re.compile(r"^\s*(-?\d+)\s*(?::|\.\.|-|,)\s*(-?\d+)\s*$")

# a placeholder: its name and what it takes (a (low, high) range, choice options, None)
Placeholder = tuple[str, object]


def parse_template(text: str) -> list[str | Placeholder]:
    """The template as literal text and placeholders, in order. A `{{word}}` that is no
    placeholder, a bad range or a choice without options raises the error validate
    reports (PydanticCustomError, code `invalid-value`)."""
    for m in _ANY_DOUBLE.finditer(text):
        if m.group(1) not in NAMES:
            raise PydanticCustomError(
                "invalid-value", "unknown placeholder `{p}`: use {{n}}, {{time}}, "
                "{{timestamp}}, {{uuid}}, {{random_int}}, {{random_int:LO:HI}} or "
                "{{choice:a|b|c}}", {"p": m.group(0)})
    parts: list[str | Placeholder] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(text):
        parts.append(text[pos:m.start()])
        name = m.group(1) or m.group(3)
        arg = m.group(2) if m.group(1) else m.group(4)
        parts.append(_placeholder(name, arg, m.group(0)))
        pos = m.end()
    parts.append(text[pos:])
    return parts


def _placeholder(name: str, arg: str | None, text: str) -> Placeholder:
    if name in ("random", "random_int"):
        if not arg:
            return ("random_int", (0, 99))
        match = _RANGE.match(arg)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise PydanticCustomError(
                "invalid-value", "`{p}`: write random_int:LO:HI with LO <= HI, for example "
                "{{random_int:1:100}}", {"p": text})
        return ("random_int", (int(match.group(1)), int(match.group(2))))
    if name == "choice":
        if not (arg and arg.strip()):
            raise PydanticCustomError("invalid-value", "`{p}` needs options: "
                                      "{{choice:a|b|c}}", {"p": text})
        return ("choice", arg.split("|"))
    return (name, None)
