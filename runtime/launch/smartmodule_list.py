"""The registered SmartModules as JSON, for the cluster API and the TUI."""

from __future__ import annotations

from typing import Any


def smartmodules_json() -> list[dict[str, Any]]:
    from smartmodules import registry

    return [registry_entry_json(entry) for entry in registry.list_modules()]


def registry_entry_json(entry: Any) -> dict[str, Any]:
    if isinstance(entry, dict):
        return dict(entry)
    from dataclasses import asdict, is_dataclass

    if is_dataclass(entry):
        return {k: (str(v) if not isinstance(v, int | float | str | bool | None) else v)
                for k, v in asdict(entry).items()}
    return {"name": str(entry)}
