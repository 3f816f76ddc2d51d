"""`weir smartmodule ...`: register, generate, build and try SmartModules. Each verb lives
in its own module and is imported only when used."""

from __future__ import annotations

import click

from tui.cli.lazy import LazyGroup

VERBS: dict[str, tuple[str, str]] = {
}


@click.group(cls=LazyGroup, lazy=VERBS)
def smartmodule() -> None:
    """Register, generate, build and test SmartModules (Fluvio's WebAssembly transforms)."""
