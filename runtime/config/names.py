"""Name rules for topics, SmartModules and connectors (Fluvio's, applied to all three).

Fluvio does not check connector names, but a bad one later breaks container and file
names, so the same rule applies to them here.
"""

from __future__ import annotations

import re
from typing import Literal

from runtime.errors import WeirError

NameKind = Literal["topic", "smartmodule", "connector"]
MAX_NAME = 63
_ALLOWED = re.compile(r"^[a-z0-9-]+$")


class InvalidName(WeirError):
    """A topic, SmartModule or connector name Fluvio (or weir) would refuse."""


def name_problem(kind: str, name: object) -> str | None:
    """Why `name` is not a valid `kind` name, or None when it is."""
    label = {"smartmodule": "SmartModule"}.get(kind, kind)
    if not isinstance(name, str) or not name:
        return f"{label} name must not be empty"
    if len(name) > MAX_NAME:
        return (f"{label} name `{name[:20]}...` is {len(name)} characters: "
                f"Name exceeds max characters allowed {MAX_NAME}")
    if not _ALLOWED.match(name):
        return (f"{label} name `{name}` is invalid: Contain only lowercase alphanumeric "
                "characters or '-'")
    if name.startswith("-") or name.endswith("-"):
        return f"{label} name `{name}` must not start or end with '-'"
    return None


def validate_name(kind: NameKind, name: str) -> str:
    """Return `name` if valid; else raise InvalidName (exit 1) saying what would be valid."""
    problem = name_problem(kind, name)
    if problem:
        raise InvalidName(problem, hint=name_hint(name))
    return name


def suggest_name(name: object) -> str | None:
    """A valid name close to an invalid `name` (lowercased, other characters -> '-')."""
    if not isinstance(name, str):
        return None
    guess = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:MAX_NAME].strip("-")
    return guess if guess and guess != name else None


def name_hint(name: object) -> str:
    """What to write instead of an invalid name: a close valid one, or the rule."""
    guess = suggest_name(name)
    if guess:
        return f"did you mean `{guess}`?"
    return f"use at most {MAX_NAME} characters from a-z, 0-9 and '-', not starting or " \
        "ending with '-'"

