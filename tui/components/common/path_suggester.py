"""Complete file paths in prompts (open, save, crate directory) as the user types."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the first directory entry that extends what was typed (→ accepts)."""

    def __init__(self, *, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        folder, _, stem = expanded.rpartition("/")
        base = Path(folder or ".") if folder or not expanded.startswith("/") else Path("/")
        try:
            names = sorted(os.listdir(base))
        except OSError:
            return None
        for name in names:
            if not name.startswith(stem) or name == stem or name.startswith("."):
                continue
            path = base / name
            if path.is_dir():
                return value + name[len(stem):] + "/"
            if not self.suffixes or name.endswith(self.suffixes):
                return value + name[len(stem):]
        return None
