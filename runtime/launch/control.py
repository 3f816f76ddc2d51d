"""What can be done to a connector, whichever way it runs, by name: the one place that
picks the launcher by mode (managed: the local cluster; process: a background
`run_main`; docker: runtime.launch.docker). The `weir connector` verbs and the
workbench's Connectors area both call these, so they cannot drift apart.

Every function blocks (the TUI calls them from thread workers) and raises WeirError with
a message and hint fit for the user.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from runtime.errors import WeirError
from runtime.home import weir_home
from runtime.launch import inventory
from runtime.launch.inventory import Located
from runtime.launch.progress import QUIET, Progress

Mode = Literal["process", "docker", "managed"]
MODES: tuple[Mode, ...] = ("process", "docker", "managed")


@dataclass(frozen=True, slots=True)
class Listing:
    connectors: list[dict[str, Any]]  # views (runtime.launch.views), every mode
    cluster: str  # running | stopped | unreachable (managed ones then as last recorded)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    mode: str
    message: str  # one line saying what happened, as `weir connector ...` prints it
    changed: bool = True  # False when there was nothing to do (not running, say)
    cluster_started: str | None = None  # "url (pid N)" when this call started the cluster
    warnings: list[Any] = field(default_factory=list)  # the config's non-fatal diagnostics


def _cluster_running() -> bool:
    from runtime.launch.state import read_state

    return read_state() is not None


def _client():
    from runtime.launch.client import ClusterClient

    return ClusterClient.connect()


def _ensure_cluster() -> str | None:
    """Start the local cluster unless it runs; say where when this call started it."""
    if _cluster_running():
        return None
    from runtime.launch.cluster import start_cluster

    result = start_cluster()
    return f"{result.state.url} (pid {result.state.pid})"


# ---- list, find, describe ------------------------------------------------------------


def list_connectors() -> Listing:
    """Every connector on this machine; managed ones from the cluster when it answers,
    else as last recorded on disk."""
    home = weir_home()
    cluster = "stopped"
    managed: list[dict[str, Any]] | None = None
    if _cluster_running():
        try:
            with _client() as client:
                managed = client.list_connectors()
            cluster = "running"
        except WeirError:  # running but not answering: still list everything else
            cluster = "unreachable"
    if managed is None:
        managed = inventory.managed_views_from_disk(home)
    views = [*managed, *inventory.process_views(home), *inventory.docker_views()]
    return Listing(views, cluster)


def find(name: str) -> Located:
    """The connector called `name` (NotFound, with the known names, when there is none)."""
    return inventory.find(name, weir_home())


def describe(name: str) -> dict[str, Any]:
    """The connector's view plus its config as masked YAML (`config`) and, for managed
    ones, its history; runtime.launch.describe.describe_text renders it."""
    from runtime.launch.describe import managed_config

    home = weir_home()
    located = find(name)
    if located.mode == "managed":
        if _cluster_running():
            with _client() as client:
                return client.describe_connector(name)
        view = next(v for v in inventory.managed_views_from_disk(home, history=True)
                    if v["name"] == name)
        view["config"] = managed_config(name, home)
        return view
    view = dict(located.view)
    if view.get("config"):
        view["config"] = _file_config(Path(view["config"]))
        view["config_path"] = located.view.get("config")
    return view


def _file_config(path: Path) -> str | None:
    """A process or Docker connector's config file, its secret values masked."""
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


def log_lines(name: str, *, follow: bool = False, since: float | None = None,
              tail: int | None = None) -> Iterator[str]:
    """The connector's log lines (from `since`, epoch seconds, or the last `tail`); with
    `follow`, new ones as they come until the caller stops iterating."""
    from runtime.connectors.telemetry import log_path
    from runtime.launch.logs import follow_lines, read_lines

    located = find(name)
    if located.mode == "managed" and _cluster_running():
        with _client() as client:
            yield from client.logs(name, since=since, tail=tail, follow=follow)
        return
    if located.mode == "docker":
        from runtime.launch import docker

        yield from docker.container_logs(name, follow=follow, since=since, tail=tail)
        return
    path = log_path(name, weir_home())
    lines, offset = read_lines(path, since=since, tail=tail)
    yield from lines
    if follow:
        for batch in follow_lines(path, offset):
            yield from batch


# ---- start a config ------------------------------------------------------------------


def start_new(config: Path, mode: Mode, *, secrets: Path | None = None,
              name: str | None = None, base_image: str | None = None,
              progress: Progress = QUIET) -> Outcome:
    """Start the connector `config` describes: as a background local process, in a
    Docker container (building its image the first time: `progress` reports the steps
    and its cancel stops them), or managed by the local cluster (started when needed)."""
    from runtime.config.names import validate_name

    config = config.expanduser().resolve()
    if secrets is not None:
        secrets = secrets.expanduser().resolve()
    if mode not in MODES:
        raise WeirError(f"unknown mode `{mode}`", hint=f"one of: {', '.join(MODES)}")
    if name:
        validate_name("connector", name)  # it becomes a directory (and container) name
    if mode == "managed":
        from runtime.launch.manage import create_managed

        created = create_managed(config, secrets)
        return Outcome(created.view["name"], mode, created.message,
                       cluster_started=created.cluster_started, warnings=created.warnings)
    from runtime.config.load import load_connector

    if not config.is_file():
        from runtime.errors import EnvironmentProblem

        raise EnvironmentProblem(f"config file {config} not found",
                                 hint="give the path of an existing file")
    spec = load_connector(config, secrets_file=secrets)
    from runtime.connectors.registry import require_runnable

    require_runnable(spec.type)
    name = name or spec.name
    from runtime.launch.names_in_use import refuse_name_in_use

    refuse_name_in_use(name, docker=mode != "docker")  # a Docker start checks Docker itself
    if mode == "docker":
        from runtime.launch import docker
        from runtime.launch.image import DEFAULT_BASE_IMAGE

        started = docker.start_container(config, name=name, spec=spec, secrets=secrets,
                                         base_image=base_image or DEFAULT_BASE_IMAGE,
                                         progress=progress)
        return Outcome(name, mode, f"connector `{name}` started in Docker container "
                       f"{started.container} (image {started.image})")
    from runtime.launch import background

    pid = background.spawn(config, name=name, secrets=secrets)
    return Outcome(name, mode, f"connector `{name}` running as process {pid}")


# ---- act on one by name --------------------------------------------------------------


def stop(name: str) -> Outcome:
    """Stop gracefully (flush, commit); a managed one stays stopped until started."""
    home = weir_home()
    located = find(name)
    if located.mode == "managed":
        if _cluster_running():
            with _client() as client:
                client.connector_action(name, "stop")
        else:
            inventory.mark_stopped_offline(name, home)
    elif located.mode == "process":
        if not inventory.stop_process(located.view):
            return Outcome(name, "process", f"connector `{name}` was not running",
                           changed=False)
    else:
        inventory.docker_action(located.view, "stop")
    return Outcome(name, located.mode, f"connector `{name}` stopped")


def delete(name: str) -> Outcome:
    """Stop it and remove it with its config copy, logs and metrics."""
    home = weir_home()
    located = find(name)
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
    return Outcome(name, located.mode, f"connector `{name}` deleted")


def start(name: str, *, background: bool = False) -> Outcome:
    """Start a stopped (or Failed) managed connector, starting the cluster when needed,
    or a stopped Docker one. A local process started by `weir connector run` belongs to
    its terminal; with `background` (the workbench has no terminal to give it) it is run
    again in the background from its config."""
    return _start(find(name), "start", background)


def restart(name: str, *, background: bool = False) -> Outcome:
    """Stop and start (a Failed managed connector gets a fresh set of retries)."""
    return _start(find(name), "restart", background)


def check_startable(names: Sequence[str], action: str = "start") -> list[Located]:
    """Every named connector, refusing local processes (which run in the foreground of
    their own terminal), before anything is started."""
    found = [find(name) for name in names]
    for located in found:
        if located.mode == "process":
            raise _process_refusal(located.name, action)
    return found


def _process_refusal(name: str, action: str) -> WeirError:
    return WeirError(
        f"connector `{name}` is a local process started by `weir connector run`; it "
        f"cannot be {action}ed here",
        hint="run it again with `weir connector run FILE`, or create it managed with "
             "`weir connector create --config FILE`",
    )


def _start(located: Located, action: str, background: bool) -> Outcome:
    name, mode = located.name, located.mode
    if mode == "managed":
        started = _ensure_cluster()
        with _client() as client:
            view = client.connector_action(name, action)
        return Outcome(name, mode, f"connector `{name}` {action}ed ({view['status']})",
                       cluster_started=started)
    if mode == "docker":
        if action == "restart":
            inventory.docker_action(located.view, "stop")
        inventory.docker_action(located.view, "start")
        return Outcome(name, mode, f"connector `{name}` {action}ed (docker)")
    if not background:
        raise _process_refusal(name, action)
    return _respawn(located, action)


def _respawn(located: Located, action: str) -> Outcome:
    from runtime.launch import background

    view = located.view
    if action == "start" and str(view.get("status")).lower() == "running":
        return Outcome(located.name, "process",
                       f"connector `{located.name}` is already running", changed=False)
    config = view.get("config")
    if not config or not Path(config).is_file():
        raise WeirError(f"connector `{located.name}` has no config file to start from",
                        hint="run its config again with `weir connector run FILE`")
    recorded = inventory.process_info(weir_home(), located.name)
    inventory.stop_process(view)
    secrets = recorded.get("secrets")
    pid = background.spawn(Path(config), name=located.name,
                           secrets=Path(secrets) if secrets else None,
                           profile=recorded.get("profile"))
    return Outcome(located.name, "process",
                   f"connector `{located.name}` {action}ed (process {pid})")
