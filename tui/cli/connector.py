"""`weir connector ...`: run, create, list and manage connectors. Each verb lives in its
own module (connector_run, connector_manage, ...) and is imported only when used."""

from __future__ import annotations

import click

from tui.cli.lazy import LazyGroup

VERBS: dict[str, tuple[str, str]] = {
    "run": ("tui.cli.connector_run:run", "Run a connector in the foreground until Ctrl-C"),
    "create": ("tui.cli.connector_manage:create", "Create a managed connector"),
    "list": ("tui.cli.connector_manage:list_", "List connectors (managed, process, docker)"),
    "describe": ("tui.cli.connector_manage:describe", "Show a connector's config and status"),
    "delete": ("tui.cli.connector_manage:delete", "Stop and remove connectors"),
    "stop": ("tui.cli.connector_manage:stop", "Stop connectors gracefully"),
    "start": ("tui.cli.connector_manage:start", "Start stopped managed connectors"),
    "restart": ("tui.cli.connector_manage:restart", "Restart managed connectors"),
    "logs": ("tui.cli.connector_manage:logs", "Show (and follow) a connector's log"),
}


@click.group(cls=LazyGroup, lazy=VERBS)
def connector() -> None:
    """Run connectors locally, in Docker, or managed by the local cluster."""
