"""Every connector on this machine, whoever runs it: the cluster (`managed`), `weir
connector run` (`process`) and Docker (`docker`), so `list`, `stop`, `delete` and `logs`
work on all of them by name."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from runtime.errors import NotFound, WeirError
from runtime.launch import records as rec
from runtime.launch.processes import pid_alive, terminate
from runtime.launch.views import managed_view, process_views

Mode = Literal["managed", "process", "docker"]


@dataclass(frozen=True, slots=True)
class Located:
    name: str
    mode: Mode
    view: dict[str, Any]


def docker_module():
    """runtime.launch.docker when it is installed and Docker answers, else None."""
    try:
        from runtime.launch import docker
    except ImportError:
        return None
    return docker


def docker_views() -> list[dict[str, Any]]:
    docker = docker_module()
    if docker is None or not hasattr(docker, "list_containers"):
        return []
    try:
        containers = docker.list_containers()
    except Exception:  # noqa: BLE001 - Docker unreachable: list the rest
        return []
    return [_docker_view(c) for c in containers]


def _docker_view(container: Any) -> dict[str, Any]:
    """A DockerConnector (runtime.launch.docker) in the shape every other mode has."""
    to_json = getattr(container, "to_json", None)
    view = dict(to_json() if callable(to_json) else container)
    status = str(view.get("status") or "")
    view["docker_status"] = status
    view["status"] = status[:1].upper() + status[1:]
    view["mode"] = "docker"
    view.setdefault("restarts", 0)
    view["type"] = view.get("type") or ""
    return view


def docker_action(view: dict[str, Any], verb: str) -> None:
    """stop | start | remove a Docker-run connector through runtime.launch.docker."""
    docker = docker_module()
    func_name = {"stop": "stop_container", "start": "start_again",
                 "remove": "remove_container"}[verb]
    func = getattr(docker, func_name, None) if docker else None
    if not callable(func):
        raise WeirError(f"cannot {verb} Docker connector `{view['name']}` from this weir",
                        hint=f"use `docker {verb} {view.get('container') or view['name']}`")
    func(view["name"])


def managed_views_from_disk(home: Path, *, history: bool = False) -> list[dict[str, Any]]:
    """Managed connectors as last recorded, for when the cluster is not running."""
    from runtime.launch.supervisor import orphan_pid

    views = []
    for record in rec.load_all(home):
        if orphan_pid(record) is not None:
            record.status = rec.RUNNING  # left running by a daemon that was killed
        elif record.status in (rec.RUNNING, rec.STARTING, rec.RESTARTING):
            record.status = rec.STOPPED  # the daemon is down, so nothing runs
            record.pid = None
        view = managed_view(record, home, history=history)
        view["cluster"] = "stopped"
        views.append(view)
    for view in damaged_views(home):
        view["cluster"] = "stopped"
        views.append(view)
    return sorted(views, key=lambda v: v["name"])


DAMAGED = "Damaged"


def damaged_view(problem: rec.DamagedRecord, home: Path) -> dict[str, Any]:
    """A managed connector whose record.json is broken, in the shape every other one has;
    `last_error` and `damaged` say what is wrong with the file."""
    from runtime.launch.views import _config_summary, metrics_view

    summary = _config_summary(str(rec.config_path(problem.name, home)))
    return {
        "name": problem.name, "type": summary.get("type", ""), "kind": None,
        "topic": summary.get("topic", ""), "mode": "managed", "status": DAMAGED,
        "restarts": 0, "records": None, "profile": None, "pid": None, "desired": None,
        "created_at": None, "started_at": None, "last_exit": None,
        "last_error": f"record damaged: {problem.message}", "source_path": None,
        "metrics": metrics_view(problem.name, restarts=0, started_at=None, running=False,
                                home=home),
        "damaged": {"path": str(problem.path), "reason": problem.reason,
                    "line": problem.line, "column": problem.column},
        "history": [],
    }


def damaged_views(home: Path) -> list[dict[str, Any]]:
    return [damaged_view(problem, home) for problem in rec.load_damaged(home)]


def damaged_hint(name: str) -> str:
    return (f"`weir connector delete {name}` removes it; then create it again with "
            "`weir connector create --config FILE`")


def find(name: str, home: Path, *, managed: list[dict[str, Any]] | None = None) -> Located:
    """The connector called `name`, looking at the cluster, local processes, Docker."""
    record = rec.read_record(name, home)
    if isinstance(record, rec.DamagedRecord):
        return Located(name, "managed", damaged_view(record, home))
    if record is not None:
        view = next((v for v in managed or [] if v["name"] == name), None)
        if view is None:
            view = managed_view(record, home)
        return Located(name, "managed", view)
    for view in process_views(home):
        if view["name"] == name:
            return Located(name, "process", view)
    for view in docker_views():
        if view["name"] == name:
            return Located(name, "docker", view)
    known = sorted({r.name for r in rec.load_all(home)}
                   | {v["name"] for v in process_views(home)})
    raise NotFound(
        f"connector `{name}` not found",
        hint=(f"known connectors: {', '.join(known)}" if known
              else "create one with `weir connector create --config FILE`"),
    )


def stop_process(view: dict[str, Any], *, timeout_s: float = 15.0) -> bool:
    """SIGTERM a `connector run` process (it flushes, commits and exits 0)."""
    pid = view.get("pid")
    if not pid_alive(pid):
        return False
    if not terminate(int(pid), timeout_s):
        raise WeirError(f"connector `{view['name']}` (pid {pid}) did not stop")
    return True


def delete_process(view: dict[str, Any], home: Path) -> None:
    stop_process(view)
    deadline = time.monotonic() + 2
    info = home / "connectors" / view["name"] / "process.json"
    while info.exists() and time.monotonic() < deadline:  # `connector run` removes it
        time.sleep(0.05)
    shutil.rmtree(home / "connectors" / view["name"], ignore_errors=True)


def mark_stopped_offline(name: str, home: Path) -> None:
    """`stop` while the cluster is down: it must not come back at the next start."""
    record = rec.read_record(name, home)
    if isinstance(record, rec.DamagedRecord):
        raise WeirError(f"managed connector `{name}` cannot be stopped: its record is "
                        f"damaged ({record.message})", hint=damaged_hint(name))
    if record is None:
        raise NotFound(f"managed connector `{name}` not found")
    _stop_orphan(record)
    if record.desired != "stopped" or record.status != rec.STOPPED:
        record.note(rec.STOPPED, "stopped by the user while the cluster was down")
    record.desired = "stopped"
    record.pid = None
    rec.save_record(record, home)


def _stop_orphan(record: rec.ConnectorRecord) -> None:
    from runtime.launch.supervisor import orphan_pid

    pid = orphan_pid(record)
    if pid is not None:
        terminate(pid, 15.0)


def delete_offline(name: str, home: Path) -> None:
    record = rec.load_record(name, home)
    if record is not None:
        _stop_orphan(record)
    rec.remove_record(name, home)
    shutil.rmtree(home / "connectors" / name, ignore_errors=True)


def process_info(home: Path, name: str) -> dict[str, Any]:
    try:
        return json.loads((home / "connectors" / name / "process.json").read_text())
    except (OSError, ValueError):
        return {}
