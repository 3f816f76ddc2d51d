"""`weir smartmodule ...`: register, generate, build and try SmartModules. Each verb lives
in its own module and is imported only when used."""

from __future__ import annotations

import click

from tui.cli.lazy import LazyGroup

VERBS: dict[str, tuple[str, str]] = {
    "generate": ("tui.cli.smartmodule_build:generate", "Write a new SmartModule crate"),
    "build": ("tui.cli.smartmodule_build:build", "Build a SmartModule crate for wasm32"),
    "dev": ("tui.cli.smartmodule_build:dev", "Rebuild on save and rerun samples"),
    "create": ("tui.cli.smartmodule_registry:create", "Register a SmartModule from a .wasm"),
    "list": ("tui.cli.smartmodule_registry:list_", "List registered SmartModules"),
    "describe": ("tui.cli.smartmodule_registry:describe", "Show a registered SmartModule"),
    "delete": ("tui.cli.smartmodule_registry:delete", "Remove a registered SmartModule"),
    "test": ("tui.cli.smartmodule_test:test", "Run a SmartModule or chain over sample records"),
    "download": ("tui.cli.smartmodule_hub:download", "Fetch a SmartModule from Fluvio's Hub"),
}


@click.group(cls=LazyGroup, lazy=VERBS)
def smartmodule() -> None:
    """Register, generate, build and test SmartModules (Fluvio's WebAssembly transforms)."""
