"""What the supervisor remembers about each managed connector, persisted as JSON so a
restarted cluster brings every connector back as it was."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import MISSING, asdict, dataclass, field
from pathlib import Path
from typing import Literal

from runtime.json_file import JsonFileProblem, read_json
from runtime.launch.layout import managed_dir, managed_root
from runtime.private_files import write_private_atomic

# What the user asked for: `running` connectors are (re)started whenever the cluster is up.
Desired = Literal["running", "stopped"]

RUNNING = "Running"
STARTING = "Starting"
RESTARTING = "Restarting"  # crashed, waiting out its backoff
STOPPED = "Stopped"
FINISHED = "Finished"  # exited on its own with code 0 (a finite source)
FAILED = "Failed"  # crashed too often too fast; `start`/`restart` tries again

HISTORY_LIMIT = 50
COUNTERS = ("records_in", "records_out", "filtered", "errors", "bytes")


@dataclass(slots=True)
class ConnectorRecord:
    name: str
    type: str
    kind: str  # source | sink
    topic: str
    profile: str  # pinned at create: switching profiles never moves a running connector
    cwd: str  # where relative paths in the config resolve, as when it was created
    source_path: str | None = None  # the file the user created it from
    desired: Desired = "running"
    status: str = STARTING
    restarts: int = 0
    pid: int | None = None
    started_at: float | None = None  # epoch seconds of the current run
    created_at: float = field(default_factory=time.time)
    last_error: str | None = None  # why the last run ended badly; cleared by the next start
    previous_error: str | None = None  # that error once a later run started (a recovery)
    previous_error_at: float | None = None
    last_exit: int | None = None
    history: list[dict] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # counters of finished runs

    def begin_run(self) -> None:
        """A new run starts: an error of the run before is history, not the current one."""
        if self.last_error:
            self.previous_error, self.last_error = self.last_error, None
            self.previous_error_at = next((h["ts"] for h in reversed(self.history)
                                           if h.get("status") in (FAILED, RESTARTING)), None)

    def note(self, status: str, message: str = "") -> None:
        """Change status and remember the change (newest last, bounded)."""
        self.status = status
        self.history.append({"ts": time.time(), "status": status, "message": message})
        del self.history[:-HISTORY_LIMIT]


def config_path(name: str, home: Path | None = None) -> Path:
    return managed_dir(name, home) / "config.yaml"


def secrets_path(name: str, home: Path | None = None) -> Path:
    return managed_dir(name, home) / "secrets"


def output_path(name: str, home: Path | None = None) -> Path:
    return managed_dir(name, home) / "output.log"


def save_record(record: ConnectorRecord, home: Path | None = None) -> None:
    path = managed_dir(record.name, home) / "record.json"
    write_private_atomic(path, json.dumps(asdict(record), indent=2))


@dataclass(frozen=True, slots=True)
class DamagedRecord:
    """A record.json that exists but cannot be read back: listed, never silently hidden."""

    name: str
    path: Path
    reason: str
    line: int | None = None  # 1-based, for a JSON syntax error
    column: int | None = None

    @property
    def message(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else str(self.path)
        return f"{where}: {self.reason}"


def read_record(name: str, home: Path | None = None) -> ConnectorRecord | DamagedRecord | None:
    """The record of `name`; DamagedRecord saying what is wrong with its file; None when
    there is no record.json at all."""
    path = managed_dir(name, home) / "record.json"
    try:
        data = read_json(path)
    except FileNotFoundError:
        return None
    except JsonFileProblem as problem:
        return DamagedRecord(name, path, problem.reason, problem.line, problem.column)
    if not isinstance(data, dict):
        return DamagedRecord(name, path, f"expected a JSON object, found {type(data).__name__}")
    fields = ConnectorRecord.__dataclass_fields__
    missing = [k for k, f in fields.items() if k not in data
               and f.default is MISSING and f.default_factory is MISSING]
    if missing:
        return DamagedRecord(name, path, f"missing field{'s' if len(missing) > 1 else ''} "
                             + ", ".join(f"`{k}`" for k in missing))
    try:
        return ConnectorRecord(**{k: v for k, v in data.items() if k in fields})
    except TypeError as exc:
        return DamagedRecord(name, path, str(exc))


def load_record(name: str, home: Path | None = None) -> ConnectorRecord | None:
    record = read_record(name, home)
    return record if isinstance(record, ConnectorRecord) else None


def record_problem(name: str, home: Path | None = None) -> DamagedRecord | None:
    record = read_record(name, home)
    return record if isinstance(record, DamagedRecord) else None


def load_all(home: Path | None = None) -> list[ConnectorRecord]:
    records = []
    for child in sorted(managed_root(home).iterdir()):
        if child.is_dir():
            record = load_record(child.name, home)
            if record is not None:
                records.append(record)
    return records


def load_damaged(home: Path | None = None) -> list[DamagedRecord]:
    """Records whose file is there but broken (load_all leaves them out)."""
    damaged = []
    for child in sorted(managed_root(home).iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            problem = record_problem(child.name, home)
            if problem is not None:
                damaged.append(problem)
    return damaged


def write_spec_files(
    name: str, config_text: str, secrets_text: str | None, home: Path | None = None
) -> None:
    """The config copy and the secrets copy, both readable only by their owner."""
    write_private_atomic(config_path(name, home), config_text)
    write_private_atomic(secrets_path(name, home), secrets_text or "")


def remove_record(name: str, home: Path | None = None) -> None:
    shutil.rmtree(managed_dir(name, home), ignore_errors=True)


def profiles_in_use(home: Path | None = None) -> dict[str, list[str]]:
    """Profile name -> managed connectors pinned to it (for `profile delete`)."""
    used: dict[str, list[str]] = {}
    for record in load_all(home):
        used.setdefault(record.profile, []).append(record.name)
    return used
