"""What the Connectors area asks of the runtime, one function per action.

Each picks the launcher by the connector's mode (managed: the local cluster's API;
process: `weir connector run` in the background; docker: runtime.launch.docker) and
returns a short message for a notification. They block: call them from thread workers.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import WeirError
from runtime.home import weir_home

MODES = ("process", "docker", "managed")


@dataclass(frozen=True, slots=True)
class ConnectorRow:
    name: str
    type: str
    mode: str
    status: str
    restarts: int
    records: int
    errors: int
    topic: str
    config: str | None
    last_error: str | None
    view: dict[str, Any]

    @classmethod
    def of(cls, view: dict[str, Any]) -> ConnectorRow:
        metrics = view.get("metrics") or {}
        return cls(
            name=str(view.get("name") or ""),
            type=str(view.get("type") or ""),
            mode=str(view.get("mode") or ""),
            status=str(view.get("status") or ""),
            restarts=int(view.get("restarts") or 0),
            records=int(view.get("records") or metrics.get("records_out") or 0),
            errors=int(metrics.get("errors") or 0),
            topic=str(view.get("topic") or ""),
            config=view.get("source_path") or view.get("config"),
            last_error=view.get("last_error") or metrics.get("last_error"),
            view=view,
        )

    @property
    def running(self) -> bool:
        return self.status.lower() in ("running", "starting", "restarting")


def _client():
    from runtime.launch.client import ClusterClient

    return ClusterClient.connect(timeout=10.0)


def list_rows() -> tuple[list[ConnectorRow], str]:
    """Every connector and the cluster's state (`running` or why managed ones are stale)."""
    from runtime.launch import inventory
    from runtime.launch.client import ClusterNotRunning

    home = weir_home()
    try:
        with _client() as client:
            managed = client.list_connectors()
        cluster = "running"
    except ClusterNotRunning:
        managed = inventory.managed_views_from_disk(home)
        cluster = "stopped"
    except WeirError:  # running but not answering: still list everything else
        managed = inventory.managed_views_from_disk(home)
        cluster = "unreachable"
    views = [*managed, *inventory.process_views(home), *inventory.docker_views()]
    return [ConnectorRow.of(v) for v in views], cluster


def start_new(config: Path, mode: str, *, secrets: Path | None = None) -> str:
    """Start the connector a config file describes, as a process, in Docker, or managed."""
    config = config.expanduser().resolve()
    if not config.is_file():
        raise WeirError(f"no such config file: {config}")
    if mode == "managed":
        from runtime.profiles import current_profile

        with _client() as client:
            view = client.create_connector(
                config=config.read_text(encoding="utf-8"),
                secrets=secrets.read_text(encoding="utf-8") if secrets else None,
                profile=current_profile().name, cwd=str(config.parent),
                source_path=str(config),
            )
        return f"managed connector `{view.get('name', config.stem)}` created"
    from runtime.config.load import load_connector

    spec = load_connector(config, secrets_file=secrets)
    if mode == "docker":
        from runtime.launch import docker

        found = docker.start_container(config, name=spec.name, secrets=secrets)
        return f"`{found.name}` started in container {found.container}"
    return _spawn_process(config, secrets, spec.name)


def _spawn_process(config: Path, secrets: Path | None, name: str) -> str:
    """`weir connector run FILE` in its own session, so it outlives the workbench."""
    args = [sys.executable, "-m", "tui.cli.main", "connector", "run", str(config)]
    if secrets is not None:
        args += ["--secrets", str(secrets)]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True, cwd=config.parent)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        if proc.poll() not in (None, 0):
            err.seek(0)
            text = err.read().decode("utf-8", "replace").strip()
            raise WeirError(f"`{name}` did not start: {text or f'exit {proc.returncode}'}")
    return f"`{name}` running as process {proc.pid}"


def stop(row: ConnectorRow) -> str:
    from runtime.launch import inventory

    if row.mode == "managed":
        with _client() as client:
            client.connector_action(row.name, "stop")
    elif row.mode == "docker":
        from runtime.launch import docker

        docker.stop_container(row.name)
    else:
        inventory.stop_process(row.view)
    return f"`{row.name}` stopped"


def start(row: ConnectorRow) -> str:
    if row.mode == "managed":
        with _client() as client:
            client.connector_action(row.name, "start")
        return f"`{row.name}` started"
    if row.mode == "docker":
        from runtime.launch import docker

        docker.start_again(row.name)
        return f"`{row.name}` started"
    if not row.config:
        raise WeirError(f"`{row.name}` has no config file to start from")
    return _spawn_process(Path(row.config), None, row.name)


def restart(row: ConnectorRow) -> str:
    if row.mode == "managed":
        with _client() as client:
            client.connector_action(row.name, "restart")
        return f"`{row.name}` restarted"
    if row.running:
        stop(row)
    return start(row).replace("started", "restarted")


def delete(row: ConnectorRow) -> str:
    from runtime.launch import inventory

    if row.mode == "managed":
        with _client() as client:
            client.delete_connector(row.name)
    elif row.mode == "docker":
        from runtime.launch import docker

        docker.remove_container(row.name)
    else:
        inventory.delete_process(row.view, weir_home())
    return f"`{row.name}` deleted"


def describe(row: ConnectorRow) -> str:
    """The connector as YAML: the cluster's description for managed ones, else its view."""
    import yaml

    data: Any = row.view
    if row.mode == "managed":
        try:
            with _client() as client:
                data = client.describe_connector(row.name)
        except WeirError:
            data = row.view
    if isinstance(data, dict) and isinstance(data.get("config"), str) and "\n" in data["config"]:
        config = data["config"]
        rest = {k: v for k, v in data.items() if k != "config"}
        return config.rstrip() + "\n---\n" + yaml.safe_dump(rest, sort_keys=False)
    return yaml.safe_dump(data, sort_keys=False)
