"""The registered SmartModules as JSON, for the cluster API and the TUI."""

from __future__ import annotations

from typing import Any


def smartmodules_json() -> list[dict[str, Any]]:
    from smartmodules import registry

    return [entry_json(entry) for entry in registry.list_modules()]


def entry_json(entry: Any) -> dict[str, Any]:
    to_dict = getattr(entry, "to_dict", None)
    data = to_dict() if callable(to_dict) else dict(entry) if isinstance(entry, dict) else {
        "name": str(entry)}
    return {k: v if isinstance(v, int | float | str | bool | None | list | dict) else str(v)
            for k, v in data.items()}
