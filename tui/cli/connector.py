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
    "types": ("tui.cli.connector_test:types", "List installed connector types and plugins"),
    "test": ("tui.cli.connector_test:test", "Run a connector briefly on a throwaway store"),
    "generate": ("tui.cli.connector_kit:generate", "Write a new connector plugin package"),
    "install": ("tui.cli.connector_kit:install", "pip install -e a plugin into Weir's env"),
    "dev": ("tui.cli.connector_dev:dev", "Rerun `connector test` on every save"),
}


@click.group(cls=LazyGroup, lazy=VERBS)
def connector() -> None:
    """Run connectors locally, in Docker, or managed by the local cluster."""
