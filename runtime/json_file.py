"""Read a JSON file the workbench wrote itself, saying exactly what is wrong when a crash,
a disk problem or a hand edit damaged it (listed as damaged, never silently skipped)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class JsonFileProblem(Exception):
    """Why the file cannot be read back; `line`/`column` (1-based) for a syntax error."""

    def __init__(self, reason: str, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # e.g. "invalid JSON: Expecting value", "is not UTF-8 text"
        self.line = line
        self.column = column


def read_json(path: Path) -> Any:
    """The file's JSON value. FileNotFoundError when it is missing (callers differ on what
    that means); JsonFileProblem when it cannot be read, is not UTF-8 or not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise JsonFileProblem(f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise JsonFileProblem("is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFileProblem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise JsonFileProblem("invalid JSON: nested too deeply") from None
