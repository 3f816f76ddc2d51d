"""Shared bits of the Docker tests."""

from __future__ import annotations

import time
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


def connector_image_tags(engine) -> set[str]:
    return {tag for image in engine.images.list(name="weir-connector") for tag in image.tags}


def remove_with_descendants(engine, image_id: str) -> None:
    """An image with the images a build left on top of it and their containers."""
    for child in [i for i in engine.images.list(all=True) if i.attrs.get("Parent") == image_id]:
        remove_with_descendants(engine, child.id)
    for container in engine.containers.list(all=True, filters={"ancestor": image_id}):
        container.remove(force=True)
    engine.images.remove(image_id, force=True)


def leftovers(engine, base_tag: str, base_id: str) -> tuple[list, list]:
    """Containers from images built on the base, and connector images labelled with it."""
    containers = engine.containers.list(all=True, filters={"ancestor": base_id})
    images = engine.images.list(filters={"label": f"weir.base-image={base_tag}"})
    return containers, images


def until_clean(engine, base_tag: str, base_id: str, timeout: float = 60) -> None:
    """The engine removes a cancelled build's step container as it winds down."""
    deadline = time.monotonic() + timeout
    while leftovers(engine, base_tag, base_id) != ([], []):
        assert time.monotonic() < deadline, leftovers(engine, base_tag, base_id)
        time.sleep(0.5)
