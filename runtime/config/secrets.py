"""Secrets: `${{ secrets.NAME }}` references, the `NAME=value` secrets file, and masking.

A rendered secret value must never reach any output; everything that prints config,
logs or errors passes it through `mask` with the spec's `secret_values`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.config.diagnostics import Diagnostic
from runtime.config.fields import secret_name_problem
from runtime.errors import EnvironmentProblem

MASK = "******"
SECRET_REF = re.compile(r"\$\{\{\s*secrets\.([^\s}]*)\s*\}\}")
# Near misses that Fluvio would leave as literal text: `${{ secret.X }}`, `${{secrets.X}`.
NEAR_MISS = re.compile(r"\$\{\{?\s*secrets?\.[^}\s]*\s*\}?\}?")


# Secret values shorter than this are masked only where they stand as a whole token.
SHORT_SECRET = 4
_HOLE = "\ue000"  # stands for MASK while masking, so no value can match inside a mask


def mask(text: str, secret_values: Iterable[str]) -> str:
    """`text` with every secret value replaced by ******, longest values first.

    Why short values differ: masking a 1-3 character value (`7`, `ab`) everywhere would
    shred unrelated text (every `ab` in `table`, every digit 7), so a value shorter than
    SHORT_SECRET is masked only where it stands as a whole token, with no letter, digit or
    `_` right before or after it: `pin=ab` and `"ab"` are masked, `table` is left alone.
    The price is that such a value still shows when it is part of a longer word, which is
    why validation warns about it (`short-secret`). Longer values are masked wherever they
    occur.
    """
    if not text:
        return text
    for value in sorted({v for v in secret_values if v}, key=len, reverse=True):
        if len(value) >= SHORT_SECRET:
            if value in text:
                text = text.replace(value, _HOLE)
        elif value in text:
            text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", _HOLE, text)
    return text.replace(_HOLE, MASK)


def short_secret_problem(name: str, value: str) -> str | None:
    """Why a secret's value cannot be masked reliably (it is too short), never showing it."""
    if not value or len(value) >= SHORT_SECRET:
        return None
    chars = "character" if len(value) == 1 else "characters"
    return (f"secret `{name}` is only {len(value)} {chars} long: weir masks it in output "
            "and logs only where it stands alone, so it can show inside longer words")


@dataclass(slots=True)
class SecretsFile:
    path: str
    values: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_secrets_file(path: str | Path) -> SecretsFile:
    """Parse `NAME=value` lines (blank lines and `#` comments allowed).

    Bad lines become diagnostics with their line number; their text is never echoed,
    since it may be a secret.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise EnvironmentProblem(f"secrets file not found: {p}",
                                 hint="give a file of NAME=value lines") from None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read secrets file {p}: {exc.strerror}") from None
    if len(raw) > 1 << 20:
        raise EnvironmentProblem(f"secrets file {p} is larger than 1 MiB")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise EnvironmentProblem(f"secrets file {p} is not UTF-8 text") from None
    out = SecretsFile(str(p))
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "=" not in line:
            out.diagnostics.append(Diagnostic(
                "error", "secrets-file", f"{p}:{number}: expected NAME=value", number, 1,
                "each line of a secrets file is NAME=value"))
            continue
        name, value = line.split("=", 1)
        name = name.strip()
        problem = secret_name_problem(name)
        if problem:
            out.diagnostics.append(Diagnostic(
                "error", "secrets-file", f"{p}:{number}: {problem}", number, 1,
                "secret names use A-Z, a-z, 0-9 and _, not starting with a digit"))
            continue
        if name in out.values:
            out.diagnostics.append(Diagnostic(
                "warning", "secrets-file", f"{p}:{number}: secret `{name}` is set again; "
                "the last value wins", number, 1, None))
        out.values[name] = value.rstrip("\r")
    return out


def lookup_secret(name: str, file_values: Mapping[str, str] | None,
                  env: Mapping[str, str] | None) -> str | None:
    """A secret's value: the secrets file first, then the environment."""
    if file_values and name in file_values:
        return file_values[name]
    environ = os.environ if env is None else env
    return environ.get(name)


def secret_ref_name(value: Any) -> str | None:
    """NAME when `value` is Fluvio's SecretString reference `{secret: {name: NAME}}`."""
    if isinstance(value, dict) and list(value) == ["secret"]:
        inner = value["secret"]
        if isinstance(inner, dict) and list(inner) == ["name"] and isinstance(inner["name"], str):
            return inner["name"]
    return None


def render(value: Any, values: Mapping[str, str]) -> Any:
    """`value` (a string, list or map) with every `${{ secrets.X }}` and every
    `{secret: {name: X}}` replaced by X's value."""
    if isinstance(value, str):
        return SECRET_REF.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [render(v, values) for v in value]
    if isinstance(value, dict):
        name = secret_ref_name(value)
        if name is not None and name in values:
            return values[name]
        return {k: render(v, values) for k, v in value.items()}
    return value
