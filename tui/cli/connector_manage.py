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
from tui.cli.completion import complete_connectors
from tui.cli.output import action_output_option, info, output_option, print_json, print_table

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
@action_output_option
def create(config: Path, secrets: Path | None, output: str) -> None:
    """Create a managed connector: the local cluster keeps it running (and starts itself
    when needed)."""
    from runtime.launch.manage import create_managed

    created = create_managed(config, secrets,
                             on_invalid=lambda exc: _report_invalid(exc, config))
    if output == "json":
        view = created.view
        print_json({"command": "connector create", "connector": view["name"],
                    "mode": view.get("mode", "managed"), "status": view.get("status"),
                    "topic": view.get("topic"), "profile": created.profile,
                    "message": created.message, "cluster_started": created.cluster_started,
                    "warnings": [w.to_json() for w in created.warnings]})
        return
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
@click.argument("name", shell_complete=complete_connectors)
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


def _outcome_json(outcome) -> dict:
    return {"connector": outcome.name, "mode": outcome.mode, "changed": outcome.changed,
            "message": outcome.message, "cluster_started": outcome.cluster_started}


def _act(action: str, names: tuple[str, ...], output: str) -> None:
    """Run one verb over each name; text: a line each as it happens; json: one object
    with every outcome. When a later name fails, the error says which were done."""
    from runtime.launch import control

    act = {"start": control.start, "restart": control.restart, "stop": control.stop,
           "delete": control.delete}[action]
    if action in ("start", "restart"):
        # managed connectors through the cluster (started if needed), Docker ones through
        # the engine; a `connector run` process cannot be started from here
        names = tuple(located.name for located in control.check_startable(names, action))
    done = []
    try:
        for name in names:
            outcome = act(name)
            done.append(outcome)
            if output == "json":
                continue
            if outcome.cluster_started:
                info(f"local cluster was not running: started it on {outcome.cluster_started}")
            info(outcome.message)
    except WeirError as exc:
        if done and output == "json":
            exc.hint = (f"{exc.hint + '; ' if exc.hint else ''}{action} done before it: "
                        + ", ".join(o.name for o in done))
        raise
    if output == "json":
        print_json({"command": f"connector {action}",
                    "connectors": [_outcome_json(o) for o in done]})


@click.command()
@click.argument("names", nargs=-1, required=True, shell_complete=complete_connectors)
@action_output_option
def delete(names: tuple[str, ...], output: str) -> None:
    """Stop connectors and remove them (config, secrets copy, logs, metrics)."""
    _act("delete", names, output)


@click.command()
@click.argument("names", nargs=-1, required=True, shell_complete=complete_connectors)
@action_output_option
def stop(names: tuple[str, ...], output: str) -> None:
    """Stop connectors gracefully (flush, commit); managed ones stay stopped until
    `weir connector start`."""
    _act("stop", names, output)


@click.command()
@click.argument("names", nargs=-1, required=True, shell_complete=complete_connectors)
@action_output_option
def start(names: tuple[str, ...], output: str) -> None:
    """Start stopped (or Failed) managed connectors, or stopped Docker ones."""
    _act("start", names, output)


@click.command()
@click.argument("names", nargs=-1, required=True, shell_complete=complete_connectors)
@action_output_option
def restart(names: tuple[str, ...], output: str) -> None:
    """Stop and start connectors (a Failed managed one gets a fresh set of retries)."""
    _act("restart", names, output)


# ---- logs ----------------------------------------------------------------------------


@click.command()
@click.argument("name", shell_complete=complete_connectors)
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
