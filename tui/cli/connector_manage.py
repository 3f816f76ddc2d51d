"""`weir connector create|list|describe|delete|start|stop|restart|logs`.

Managed connectors live in the local cluster (started on demand by `create`); `list`,
`describe`, `stop`, `delete` and `logs` also find connectors started by `weir connector
run` (mode `process`) and in Docker (mode `docker`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from runtime.errors import WeirError
from tui.cli.output import info, output_option, print_json, print_table

# ---- create --------------------------------------------------------------------------


def _report_invalid(exc: WeirError, path: Path) -> WeirError:
    diagnostics = getattr(exc, "diagnostics", None) or []
    for diag in diagnostics:
        human = getattr(diag, "human_with_hint", None)
        info(human(str(path)) if callable(human) else f"  {diag}")
    if diagnostics:
        errors = [d for d in diagnostics if getattr(d, "severity", "error") == "error"]
        count = len(errors) or len(diagnostics)
        return WeirError(f"{path}: {count} problem{'s' if count != 1 else ''}; "
                         "the connector was not created",
                         hint=f"fix it, then check it with `weir validate {path}`")
    return exc


@click.command()
@click.option("--config", "-c", "config", required=True, type=click.Path(path_type=Path),
              help="Connector config (YAML, legacy or current format).")
@click.option("--secrets", "-s", "secrets", type=click.Path(path_type=Path),
              help="Secrets file (NAME=value lines).")
def create(config: Path, secrets: Path | None) -> None:
    """Create a managed connector: the local cluster keeps it running (and starts itself
    when needed)."""
    from runtime.launch.manage import create_managed

    created = create_managed(config, secrets,
                             on_invalid=lambda exc: _report_invalid(exc, config))
    for warning in created.warnings:
        info(warning.human_with_hint(str(config)))
    if created.cluster_started:
        info(f"local cluster was not running: started it on {created.cluster_started}")
    info(created.message)


# ---- list ----------------------------------------------------------------------------


@click.command("list")
@output_option
def list_(output: str) -> None:
    """Connectors on this machine: managed, local processes and Docker containers."""
    from runtime.launch.control import list_connectors

    listing = list_connectors()
    views = listing.connectors
    if listing.cluster == "unreachable":
        info("the local cluster does not answer: managed connectors as last recorded")
    if output == "json":
        print_json(views)
        return
    if not views:
        info("no connectors; create one with `weir connector create --config FILE`")
        return
    print_table(
        ["NAME", "TYPE", "MODE", "STATUS", "RESTARTS", "RECORDS"],
        [[v["name"], v.get("type") or "", v["mode"],
          v["status"] + (" (recovered)" if v.get("recovered") else ""), v.get("restarts", 0),
          "" if v.get("records") is None else v["records"]] for v in views],
    )


# ---- describe ------------------------------------------------------------------------


@click.command()
@click.argument("name")
@output_option
def describe(name: str, output: str) -> None:
    """The connector's config as YAML (secrets masked), then its status and metrics."""
    from runtime.launch.control import describe as describe_view
    from runtime.launch.describe import describe_text

    view = describe_view(name)
    if output == "json":
        print_json(view)
        return
    click.echo(describe_text(view))


# ---- delete / stop / start / restart -------------------------------------------------


@click.command()
@click.argument("names", nargs=-1, required=True)
def delete(names: tuple[str, ...]) -> None:
    """Stop connectors and remove them (config, secrets copy, logs, metrics)."""
    from runtime.launch import control

    for name in names:
        info(control.delete(name).message)


@click.command()
@click.argument("names", nargs=-1, required=True)
def stop(names: tuple[str, ...]) -> None:
    """Stop connectors gracefully (flush, commit); managed ones stay stopped until
    `weir connector start`."""
    from runtime.launch import control

    for name in names:
        info(control.stop(name).message)


def _start_or_restart(names: tuple[str, ...], action: str) -> None:
    """Managed connectors through the cluster (started if needed); Docker ones through
    the engine; a `connector run` process cannot be started from here."""
    from runtime.launch import control

    act = control.start if action == "start" else control.restart
    for located in control.check_startable(names, action):
        outcome = act(located.name)
        if outcome.cluster_started:
            info(f"local cluster was not running: started it on {outcome.cluster_started}")
        info(outcome.message)


@click.command()
@click.argument("names", nargs=-1, required=True)
def start(names: tuple[str, ...]) -> None:
    """Start stopped (or Failed) managed connectors, or stopped Docker ones."""
    _start_or_restart(names, "start")


@click.command()
@click.argument("names", nargs=-1, required=True)
def restart(names: tuple[str, ...]) -> None:
    """Stop and start connectors (a Failed managed one gets a fresh set of retries)."""
    _start_or_restart(names, "restart")


# ---- logs ----------------------------------------------------------------------------


@click.command()
@click.argument("name")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines (Ctrl-C ends).")
@click.option("--since", help="Only lines from this long ago, e.g. 10m, 1h 30m.")
@click.option("--tail", "-n", type=click.IntRange(min=0), help="Only the last N lines.")
def logs(name: str, follow: bool, since: str | None, tail: int | None) -> None:
    """A connector's log: supervisor lines, connector lines, errors with offsets."""
    from runtime.launch.control import log_lines

    since_s: float | None = None
    if since:
        from runtime.config.values import parse_duration

        try:
            since_s = time.time() - parse_duration(since) / 1000
        except (ValueError, WeirError) as exc:
            message = getattr(exc, "message", str(exc))
            raise click.BadParameter(message, param_hint="--since") from None
    for line in log_lines(name, follow=follow, since=since_s, tail=tail):
        click.echo(line)
        if follow:
            sys.stdout.flush()
