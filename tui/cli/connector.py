"""`weir connector ...`: run, create, list and manage connectors. Each verb lives in its
own module (connector_run, connector_manage, ...) and is imported only when used."""

from __future__ import annotations

import click

from tui.cli.lazy import LazyGroup

VERBS: dict[str, tuple[str, str]] = {
}


@click.group(cls=LazyGroup, lazy=VERBS)
def connector() -> None:
    """Run connectors locally, in Docker, or managed by the local cluster."""
