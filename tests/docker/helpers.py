"""Shared bits of the Docker tests."""

from __future__ import annotations

from pathlib import Path

BUILD_TIMEOUT = 900  # the first run builds the wheelhouse and the image


def generator_config(directory: Path, name: str, topic: str, *, count: int | None = None,
                     interval: str = "100ms") -> Path:
    lines = [
        "version: 0.1.0",
        f"name: {name}",
        "type: generator",
        f"topic: {topic}",
        "parameters:",
        "  template: '{\"n\": {{n}}}'",
        f"  interval: {interval}",
    ]
    if count is not None:
        lines.append(f"  count: {count}")
    path = directory / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def containers_of(engine, name: str, home: Path) -> list:
    filters = {"label": ["weir.mode=docker", f"weir.connector={name}",
                         f"weir.home={home.resolve()}"]}
    return engine.containers.list(all=True, filters=filters)
