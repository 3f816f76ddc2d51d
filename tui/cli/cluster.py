"""`weir cluster start|stop|status|fluvio-profile`: the local daemon that keeps managed
connectors running and serves Fluvio's protocol."""

from __future__ import annotations

import click

from tui.cli.output import action_output_option, info, output_option, print_json


@click.group()
def cluster() -> None:
    """Start, stop and inspect the local cluster (managed connectors live there; Fluvio's
    clients reach its topics on the SC and SPU ports)."""


def _address(what: str):
    def check(_ctx, _param, value: str | None) -> str | None:
        if value is None:
            return None
        from runtime.errors import WeirError
        from runtime.fluvio_wire.listen import parse_address

        try:
            return str(parse_address(value, what))
        except WeirError as exc:
            raise click.BadParameter(f"{exc.message} ({exc.hint})") from None
    return check


@cluster.command()
@click.option("--fluvio-sc", metavar="HOST:PORT", callback=_address("--fluvio-sc"),
              help="Where Fluvio's SC (control) protocol listens "
                   "[default: 127.0.0.1:9003, else the next free port; port 0: any free].")
@click.option("--fluvio-spu", metavar="HOST:PORT", callback=_address("--fluvio-spu"),
              help="Where Fluvio's SPU (data) protocol listens "
                   "[default: 127.0.0.1:9005, else the next free port; port 0: any free].")
@click.option("--no-fluvio", is_flag=True, help="Do not serve Fluvio's protocol.")
@action_output_option
def start(fluvio_sc: str | None, fluvio_spu: str | None, no_fluvio: bool, output: str) -> None:
    """Start the local cluster in the background (a no-op if it already runs)."""
    from runtime.launch.cluster import start_cluster

    if no_fluvio and (fluvio_sc or fluvio_spu):
        raise click.UsageError("--no-fluvio cannot be combined with --fluvio-sc/--fluvio-spu")
    args = ["--no-fluvio"] if no_fluvio else []
    args += ["--fluvio-sc", fluvio_sc] if fluvio_sc else []
    args += ["--fluvio-spu", fluvio_spu] if fluvio_spu else []
    result = start_cluster(daemon_args=args)
    if output == "json":
        print_json({"command": "cluster start", "started": result.started,
                    "url": result.state.url, "pid": result.state.pid,
                    "fluvio": result.state.fluvio or None})
        return
    verb = "started" if result.started else "already running"
    info(f"local cluster {verb} on {result.state.url} (pid {result.state.pid})")
    fluvio = result.state.fluvio
    if fluvio:
        info(f"fluvio: SC {fluvio['sc']}, SPU {fluvio['spu']} "
             f"(serving profile `{fluvio.get('profile')}`)")
    if not result.started and args:
        info("the options apply when the cluster starts: `weir cluster stop` first")


@cluster.command()
@action_output_option
def stop(output: str) -> None:
    """Stop the cluster; its running connectors stop too and come back at the next start."""
    from runtime.launch.cluster import stop_cluster

    stopped = stop_cluster()
    if output == "json":
        print_json({"command": "cluster stop", "was_running": stopped is not None,
                    "stopped_connectors": stopped or []})
        return
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
    fluvio = state.get("fluvio")
    click.echo(f"fluvio: SC {fluvio['sc']}, SPU {fluvio['spu']}" if fluvio else "fluvio: off")
    if not state.get("reachable", False):
        click.echo(f"api: not answering ({state.get('error')})")
        return
    counts = state.get("connectors") or {}
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"
    click.echo(f"connectors: {summary}")


@cluster.command("fluvio-profile")
@click.option("--switch", is_flag=True, help="Make `weir` Fluvio's current profile.")
def fluvio_profile(switch: bool) -> None:
    """Write a `weir` profile into Fluvio's config ($FLV_PROFILE_PATH, else
    ~/.fluvio/config) pointing at this cluster's SC, keeping the other profiles."""
    from runtime.errors import WeirError
    from runtime.fluvio_wire.profile_file import write_profile
    from runtime.launch.state import read_state

    state = read_state()
    if state is None:
        raise WeirError("the local cluster is not running",
                        hint="start it with `weir cluster start`, then run this again")
    if not state.fluvio:
        raise WeirError("the local cluster serves no Fluvio protocol (started with "
                        "--no-fluvio)", hint="`weir cluster stop`, then `weir cluster start`")
    path, current = write_profile(state.fluvio["sc"], switch=switch)
    info(f"wrote profile `weir` (SC {state.fluvio['sc']}) to {path}")
    info("it is Fluvio's current profile" if current
         else "switch to it with `weir cluster fluvio-profile --switch` "
              "(or `fluvio profile switch weir`)")
