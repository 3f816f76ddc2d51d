"""`weir smartmodule ...`: register, generate, build and try SmartModules. Each verb lives
in its own module and is imported only when used."""

from __future__ import annotations

import click

from tui.cli.lazy import LazyGroup

VERBS: dict[str, tuple[str, str]] = {
    "generate": ("tui.cli.smartmodule_build:generate", "Write a new SmartModule crate"),
    "build": ("tui.cli.smartmodule_build:build", "Build a SmartModule crate for wasm32"),
    "dev": ("tui.cli.smartmodule_build:dev", "Rebuild on save and rerun samples"),
}


@click.group(cls=LazyGroup, lazy=VERBS)
def smartmodule() -> None:
    """Register, generate, build and test SmartModules (Fluvio's WebAssembly transforms)."""
