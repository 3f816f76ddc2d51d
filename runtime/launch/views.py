"""One JSON shape for a connector, whoever runs it (cluster, local process, Docker), so
`connector list -O json`, `describe` and the TUI read the same fields."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from runtime.connectors import telemetry
from runtime.launch.processes import pid_alive
from runtime.launch.records import COUNTERS, RUNNING, ConnectorRecord


def metrics_view(name: str, *, restarts: int, started_at: float | None, running: bool,
                 home: Path | None = None) -> dict[str, Any]:
    metrics = telemetry.read_metrics(name, home)
    began = started_at or metrics.started_at
    return {
        "records_in": metrics.records_in,
        "records_out": metrics.records_out,
        "filtered": metrics.filtered,
        "errors": metrics.errors,
        "bytes": metrics.bytes,
        "last_error": metrics.last_error,
        "uptime_s": round(max(0.0, time.time() - began), 1) if running and began else 0.0,
        "restarts": restarts,
        "updated_at": metrics.updated_at or None,
        "started_at": metrics.started_at,
        "series": metrics.series,  # the counters over the last minutes (telemetry)
    }


def managed_view(record: ConnectorRecord, home: Path | None = None,
                 *, history: bool = False) -> dict[str, Any]:
    """Counters are lifetime totals: finished runs (folded in by the supervisor) plus the
    current run while its process lives."""
    running = record.status == RUNNING
    metrics = metrics_view(record.name, restarts=record.restarts, started_at=record.started_at,
                           running=running, home=home)
    current = (record.pid is not None and metrics["started_at"] is not None
               and record.started_at is not None and metrics["started_at"] >= record.started_at)
    metrics["run"] = {key: metrics[key] if current else 0 for key in COUNTERS}
    for key in COUNTERS:
        metrics[key] = record.totals.get(key, 0) + metrics["run"][key]
    latest = (metrics["started_at"] is not None and record.started_at is not None
              and metrics["started_at"] >= record.started_at)
    run_error = metrics["last_error"] if latest else None  # an error of the latest run
    view = {
        "name": record.name,
        "type": record.type,
        "kind": record.kind,
        "topic": record.topic,
        "mode": "managed",
        "status": record.status,
        "restarts": record.restarts,
        "records": metrics["records_out"],
        "profile": record.profile,
        "pid": record.pid,
        "desired": record.desired,
        "created_at": record.created_at,
        "started_at": record.started_at,
        "last_exit": record.last_exit,
        "last_error": record.last_error or run_error,
        # a Failed or crashed connector that runs again: its old error, and since when
        "recovered": ({"error": record.previous_error, "failed_at": record.previous_error_at,
                       "since": record.started_at}
                      if running and record.previous_error and not record.last_error
                      else None),
        "source_path": record.source_path,
        "metrics": metrics,
    }
    if history:
        view["history"] = record.history
    return view


def _config_summary(path: str | None) -> dict[str, str]:
    """Type and topic of a config file, cheaply (no validation: it is already running)."""
    if not path:
        return {}
    try:
        import yaml

        data = yaml.safe_load(Path(path).read_text())
    except Exception:  # noqa: BLE001 - a missing or broken file only loses two columns
        return {}
    if not isinstance(data, dict):
        return {}
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else data
    topic = meta.get("topic")
    if isinstance(topic, dict):
        topic = (topic.get("meta") or {}).get("name")
    return {"type": str(meta.get("type") or ""), "topic": str(topic or "")}


def process_views(home: Path) -> list[dict[str, Any]]:
    """Connectors started by `weir connector run` (each leaves process.json while alive)."""
    views = []
    root = home / "connectors"
    if not root.is_dir():
        return views
    for path in sorted(root.glob("*/process.json")):
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        name = path.parent.name
        pid = info.get("pid")
        alive = pid_alive(pid)
        started = info.get("started_at")
        if isinstance(started, str):
            started = None
        summary = _config_summary(info.get("config"))
        metrics = metrics_view(name, restarts=0, started_at=started, running=alive, home=home)
        views.append({
            "name": name,
            "type": summary.get("type", ""),
            "kind": None,
            "topic": summary.get("topic", ""),
            "mode": "process",
            "status": RUNNING if alive else "Exited",
            "restarts": 0,
            "records": metrics["records_out"],
            "profile": info.get("profile"),
            "pid": pid,
            "config": info.get("config"),
            "started_at": info.get("started_at"),
            "last_error": metrics["last_error"],
            "metrics": metrics,
        })
    return views
