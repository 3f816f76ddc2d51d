"""`weir connector create|list|describe|delete|start|stop|restart|logs`.

Managed connectors live in the local cluster (started on demand by `create`); `list`,
`describe`, `stop`, `delete` and `logs` also find connectors started by `weir connector
run` (mode `process`) and in Docker (mode `docker`)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from runtime.errors import EnvironmentProblem, WeirError
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
    view = created.view
    info(f"connector `{view['name']}` created ({view['status']}, profile "
         f"`{created.profile}`, topic `{view['topic']}`)")


def _client(*, start: bool = False):
    """A client of the running cluster; with `start`, start it first (and say so)."""
    from runtime.launch.client import ClusterClient
    from runtime.launch.state import read_state

    if start and read_state() is None:
        from runtime.launch.cluster import start_cluster

        result = start_cluster()
        info(f"local cluster was not running: started it on {result.state.url} "
             f"(pid {result.state.pid})")
    return ClusterClient.connect()


def _cluster_running() -> bool:
    from runtime.launch.state import read_state

    return read_state() is not None


# ---- list ----------------------------------------------------------------------------


def _all_views() -> list[dict[str, Any]]:
    from runtime.home import weir_home
    from runtime.launch.inventory import docker_views, managed_views_from_disk
    from runtime.launch.views import process_views

    home = weir_home()
    if _cluster_running():
        with _client() as client:
            views = client.list_connectors()
    else:
        views = managed_views_from_disk(home)
    views += process_views(home)
    views += docker_views()
    return views


@click.command("list")
@output_option
def list_(output: str) -> None:
    """Connectors on this machine: managed, local processes and Docker containers."""
    views = _all_views()
    if output == "json":
        print_json(views)
        return
    if not views:
        info("no connectors; create one with `weir connector create --config FILE`")
        return
    print_table(
        ["NAME", "TYPE", "MODE", "STATUS", "RESTARTS", "RECORDS"],
        [[v["name"], v.get("type") or "", v["mode"], v["status"], v.get("restarts", 0),
          "" if v.get("records") is None else v["records"]] for v in views],
    )


# ---- describe ------------------------------------------------------------------------


def _describe_view(name: str) -> dict[str, Any]:
    from runtime.home import weir_home
    from runtime.launch import inventory
    from runtime.launch.describe import managed_config

    home = weir_home()
    located = inventory.find(name, home)
    if located.mode == "managed":
        if _cluster_running():
            with _client() as client:
                return client.describe_connector(name)
        view = next(v for v in inventory.managed_views_from_disk(home, history=True)
                    if v["name"] == name)
        view["config"] = managed_config(name, home)
        return view
    view = dict(located.view)
    if located.mode in ("process", "docker") and view.get("config"):
        view["config"] = _process_config(Path(view["config"]))
        view["config_path"] = located.view.get("config")
    return view


def _process_config(path: Path) -> str | None:
    from runtime.launch.describe import masked_yaml

    try:
        text = path.read_text()
    except OSError:
        return None
    values: tuple[str, ...] = ()
    try:
        from runtime.config.load import load_connector

        values = tuple(load_connector(path, env=dict(os.environ)).secret_values)
    except Exception:  # noqa: BLE001 - show what we can; secrets files stay unread
        pass
    return masked_yaml(text, values)


def _age(seconds: float | None) -> str:
    if not seconds:
        return "-"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"


def _bytes(count: int | None) -> str:
    if not count:
        return "0 B"
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{count} B"


@click.command()
@click.argument("name")
@output_option
def describe(name: str, output: str) -> None:
    """The connector's config as YAML (secrets masked), then its status and metrics."""
    view = _describe_view(name)
    if output == "json":
        print_json(view)
        return
    config = view.get("config")
    click.echo((config or "---\n# config not available\n").rstrip("\n"))
    metrics = view.get("metrics") or {}
    where = view["mode"]
    if view.get("profile"):
        where += f", profile {view['profile']}"
    if view.get("pid"):
        where += f", pid {view['pid']}"
    lines = [
        f"status: {view['status']} ({where})",
        f"restarts: {view.get('restarts', 0)}, uptime: {_age(metrics.get('uptime_s'))}",
        f"records: in {metrics.get('records_in', 0)}, out {metrics.get('records_out', 0)}, "
        f"filtered {metrics.get('filtered', 0)}, errors {metrics.get('errors', 0)}, "
        f"bytes {_bytes(metrics.get('bytes'))}",
        f"last error: {view.get('last_error') or 'none'}",
    ]
    history = view.get("history") or []
    if history:
        lines.append("history (UTC):")
        for entry in history[-6:]:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.get("ts", 0)))
            lines.append(f"  {stamp}  {entry.get('status', ''):<10} {entry.get('message', '')}")
    if view.get("cluster") == "stopped":
        lines.append("the local cluster is not running: `weir cluster start` brings it back")
    click.echo("")
    for line in lines:
        click.echo(f"# {line}")


# ---- delete / stop / start / restart -------------------------------------------------


@click.command()
@click.argument("names", nargs=-1, required=True)
def delete(names: tuple[str, ...]) -> None:
    """Stop connectors and remove them (config, secrets copy, logs, metrics)."""
    from runtime.home import weir_home
    from runtime.launch import inventory

    home = weir_home()
    for name in names:
        located = inventory.find(name, home)
        if located.mode == "managed":
            if _cluster_running():
                with _client() as client:
                    client.delete_connector(name)
            else:
                inventory.delete_offline(name, home)
        elif located.mode == "process":
            inventory.delete_process(located.view, home)
        else:
            inventory.docker_action(located.view, "remove")
        info(f"connector `{name}` deleted")


@click.command()
@click.argument("names", nargs=-1, required=True)
def stop(names: tuple[str, ...]) -> None:
    """Stop connectors gracefully (flush, commit); managed ones stay stopped until
    `weir connector start`."""
    from runtime.home import weir_home
    from runtime.launch import inventory

    home = weir_home()
    for name in names:
        located = inventory.find(name, home)
        if located.mode == "managed":
            if _cluster_running():
                with _client() as client:
                    client.connector_action(name, "stop")
            else:
                inventory.mark_stopped_offline(name, home)
        elif located.mode == "process":
            if not inventory.stop_process(located.view):
                info(f"connector `{name}` was not running")
                continue
        else:
            inventory.docker_action(located.view, "stop")
        info(f"connector `{name}` stopped")


def _start_or_restart(names: tuple[str, ...], action: str) -> None:
    """Managed connectors through the cluster (started if needed); Docker ones through
    the engine; a `connector run` process cannot be started from here."""
    from runtime.home import weir_home
    from runtime.launch import inventory

    home = weir_home()
    found = [inventory.find(name, home) for name in names]
    for located in found:
        if located.mode == "process":
            raise WeirError(
                f"connector `{located.name}` is a local process started by `weir connector "
                f"run`; it cannot be {action}ed here",
                hint="run it again with `weir connector run FILE`, or create it managed with "
                     "`weir connector create --config FILE`",
            )
    managed = [located for located in found if located.mode == "managed"]
    if managed:
        with _client(start=True) as client:
            for located in managed:
                view = client.connector_action(located.name, action)
                info(f"connector `{located.name}` {action}ed ({view['status']})")
    for located in found:
        if located.mode == "docker":
            if action == "restart":
                inventory.docker_action(located.view, "stop")
            inventory.docker_action(located.view, "start")
            info(f"connector `{located.name}` {action}ed (docker)")


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
    from runtime.home import weir_home
    from runtime.launch import inventory

    since_s: float | None = None
    if since:
        from runtime.config.values import parse_duration

        try:
            since_s = time.time() - parse_duration(since) / 1000
        except (ValueError, WeirError) as exc:
            message = getattr(exc, "message", str(exc))
            raise click.BadParameter(message, param_hint="--since") from None
    home = weir_home()
    located = inventory.find(name, home)
    if located.mode == "managed" and _cluster_running():
        with _client() as client:
            for line in client.logs(name, since=since_s, tail=tail, follow=follow):
                click.echo(line)
                sys.stdout.flush()
        return
    if located.mode == "docker":
        _docker_logs(located.view, follow=follow, since_s=since_s, tail=tail)
        return
    _file_logs(name, home, follow=follow, since_s=since_s, tail=tail)


def _file_logs(name: str, home: Path, *, follow: bool, since_s: float | None,
               tail: int | None) -> None:
    from runtime.connectors.telemetry import log_path
    from runtime.launch.logs import follow_lines, read_lines

    path = log_path(name, home)
    lines, offset = read_lines(path, since=since_s, tail=tail)
    for line in lines:
        click.echo(line)
    if not follow:
        return
    for batch in follow_lines(path, offset):
        for line in batch:
            click.echo(line)
        sys.stdout.flush()


def _docker_logs(view: dict[str, Any], *, follow: bool, since_s: float | None,
                 tail: int | None) -> None:
    from runtime.launch.inventory import docker_module

    docker = docker_module()
    func = getattr(docker, "container_logs", None) if docker else None
    if not callable(func):
        raise EnvironmentProblem(f"cannot read the logs of Docker connector `{view['name']}`",
                                 hint=f"use `docker logs {view.get('container') or view['name']}`")
    for line in func(view["name"], follow=follow, since=since_s, tail=tail):
        click.echo(line)
        sys.stdout.flush()
