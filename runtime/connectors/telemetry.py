"""What a running connector leaves behind for `list`, `describe`, `logs` and the TUI.

Every connector, whatever runs it (foreground process, Docker container, the cluster's
supervisor), writes under `$WEIR_HOME/connectors/<name>/`:

- `connector.log`  human log lines, secrets masked;
- `events.jsonl`   lifecycle events, one JSON object a line:
                   {"ts": ms, "connector", "event", "message", "topic", "offset"};
                   event is one of EVENTS;
- `metrics.json`   counters rewritten atomically about once a second, with `series`:
                   the counters sampled every SERIES_STEP_S over the last minutes,
                   [epoch s, in, out, filtered, errors] each (the workbench's charts).

All of them private to the home's owner (runtime.private_files).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from runtime.home import weir_home
from runtime.private_files import make_private_dir, open_private_append, write_private_atomic

EVENTS = ("create", "start", "stop", "crash", "restart", "error", "failed", "delete")
SERIES_STEP_S = 2.0
SERIES_LEN = 150  # five minutes of samples


def connector_dir(name: str, home: Path | None = None) -> Path:
    return make_private_dir((home or weir_home()) / "connectors" / name)


@dataclass(slots=True)
class Metrics:
    records_in: int = 0
    records_out: int = 0
    filtered: int = 0
    errors: int = 0
    bytes: int = 0
    last_error: str | None = None
    started_at: float | None = None  # epoch seconds of the current run
    updated_at: float = field(default_factory=time.time)
    series: list[list[float]] = field(default_factory=list)  # see the module docstring

    def sample(self, now: float) -> None:
        """Remember the counters at `now` if the last sample is a step old (bounded)."""
        if self.series and now - self.series[-1][0] < SERIES_STEP_S:
            return
        self.series.append([round(now, 1), self.records_in, self.records_out, self.filtered,
                            self.errors])
        del self.series[:-SERIES_LEN]

    def uptime(self) -> float:
        return 0.0 if self.started_at is None else max(0.0, time.time() - self.started_at)


@dataclass(frozen=True, slots=True)
class Event:
    ts: int
    connector: str
    event: str
    message: str = ""
    topic: str | None = None
    offset: int | None = None


def write_metrics(name: str, metrics: Metrics, home: Path | None = None) -> None:
    path = connector_dir(name, home) / "metrics.json"
    metrics.updated_at = time.time()
    metrics.sample(metrics.updated_at)
    write_private_atomic(path, json.dumps(asdict(metrics)))


def read_metrics(name: str, home: Path | None = None) -> Metrics:
    path = connector_dir(name, home) / "metrics.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return Metrics(updated_at=0.0)
    known = {k: v for k, v in data.items() if k in Metrics.__dataclass_fields__}
    series = known.get("series")
    if not (isinstance(series, list) and all(
            isinstance(s, list) and len(s) == 5 and all(isinstance(v, (int, float)) for v in s)
            for s in series)):
        known["series"] = []  # an older or damaged file: no chart, still the counters
    return Metrics(**known)


def record_event(
    name: str,
    event: str,
    message: str = "",
    *,
    topic: str | None = None,
    offset: int | None = None,
    home: Path | None = None,
) -> Event:
    """Append one event; a single write of one line keeps concurrent writers whole."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    ev = Event(int(time.time() * 1000), name, event, message, topic, offset)
    line = json.dumps(asdict(ev)) + "\n"
    path = connector_dir(name, home) / "events.jsonl"
    with open_private_append(path) as handle:
        handle.write(line.encode())
    return ev


def read_events(name: str, since_ms: int = 0, home: Path | None = None) -> Iterator[Event]:
    path = connector_dir(name, home) / "events.jsonl"
    try:
        handle = path.open()
    except OSError:
        return
    with handle:
        for line in handle:
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a torn last line from a killed writer
            if data.get("ts", 0) >= since_ms:
                yield Event(**data)


def log_path(name: str, home: Path | None = None) -> Path:
    return connector_dir(name, home) / "connector.log"
