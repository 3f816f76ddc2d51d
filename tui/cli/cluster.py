"""`weir cluster start|stop|status`: the local daemon that keeps managed connectors running."""

from __future__ import annotations

import click

from tui.cli.output import info, output_option, print_json


@click.group()
def cluster() -> None:
    """Start, stop and inspect the local cluster (managed connectors live there)."""


@cluster.command()
def start() -> None:
    """Start the local cluster in the background (a no-op if it already runs)."""
    from runtime.launch.cluster import start_cluster

    result = start_cluster()
    verb = "started" if result.started else "already running"
    info(f"local cluster {verb} on {result.state.url} (pid {result.state.pid})")


@cluster.command()
def stop() -> None:
    """Stop the cluster; its running connectors stop too and come back at the next start."""
    from runtime.launch.cluster import stop_cluster

    stopped = stop_cluster()
    if stopped is None:
        info("local cluster is not running")
        return
    if stopped:
        info(f"stopped connectors (they restart with the cluster): {', '.join(stopped)}")
    info("local cluster stopped")


@cluster.command()
@output_option
def status(output: str) -> None:
    """Is the cluster running, where, and how are its connectors doing."""
    from runtime.launch.cluster import cluster_status
    from runtime.launch.describe import age

    state = cluster_status()
    if output == "json":
        print_json(state)
        return
    if not state["running"]:
        click.echo("local cluster: not running")
        click.echo(f"home: {state['home']}")
        return
    click.echo(f"local cluster: running (pid {state['pid']}, {state['url']}, "
               f"up {age(state['uptime_s'])})")
    click.echo(f"home: {state['home']}")
    if not state.get("reachable", False):
        click.echo(f"api: not answering ({state.get('error')})")
        return
    counts = state.get("connectors") or {}
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"
    click.echo(f"connectors: {summary}")
