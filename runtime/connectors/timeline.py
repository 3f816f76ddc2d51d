"""Connector logs and lifecycle events merged on one clock, read incrementally.

Reads the telemetry files every launcher writes (runtime.connectors.telemetry): each poll
returns only what was appended since the last one, so a long-running view stays cheap.
The workbench's Logs area and `weir logs` both read through it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from runtime.home import weir_home

_LOG_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z?\s+(\w+)\s+(.*)$")
TAIL_BYTES = 64 * 1024  # how much history of each file a fresh view starts with


@dataclass(frozen=True, slots=True)
class Entry:
    ts: int  # ms since the epoch
    connector: str
    kind: str  # "event" or "log"
    level: str  # event name for events (start, crash...), log level for log lines
    message: str
    topic: str | None = None
    offset: int | None = None


@dataclass(slots=True)
class _Cursor:
    position: int = 0
    partial: bytes = b""
    last_ts: int = 0


@dataclass
class TimelineReader:
    """Follow the telemetry of some connectors (all when `names` is None)."""

    names: set[str] | None = None
    topic: str | None = None
    home: Path | None = None
    tail_bytes: int | None = TAIL_BYTES  # history of each file to start with; None: all
    _cursors: dict[Path, _Cursor] = field(default_factory=dict)
    _topics: dict[str, set[str]] = field(default_factory=dict)

    def connectors(self) -> list[str]:
        root = (self.home or weir_home()) / "connectors"
        try:
            return sorted(p.name for p in root.iterdir() if p.is_dir())
        except OSError:
            return []

    def _wanted(self) -> list[str]:
        names = self.connectors()
        if self.names is not None:
            names = [n for n in names if n in self.names]
        if self.topic is not None:
            names = [n for n in names if self.topic in self._topics.get(n, set())]
        return names

    def poll(self) -> list[Entry]:
        """New entries since the last poll, oldest first."""
        entries: list[Entry] = []
        root = (self.home or weir_home()) / "connectors"
        if self.topic is not None:
            # Learn which connectors touch the topic from their events (start carries it).
            for name in self.connectors():
                events = root / name / "events.jsonl"
                for entry in self._read(events, name, self._parse_event, learn_only=True):
                    if entry.topic:
                        self._topics.setdefault(name, set()).add(entry.topic)
        for name in self._wanted():
            entries.extend(self._read(root / name / "events.jsonl", name, self._parse_event))
            entries.extend(self._read(root / name / "connector.log", name, self._parse_log))
        entries.sort(key=lambda e: e.ts)
        return entries

    def _read(self, path: Path, name: str, parse, learn_only: bool = False) -> list[Entry]:
        key = (path, learn_only)
        cursor = self._cursors.setdefault(key, _Cursor())  # type: ignore[arg-type]
        try:
            size = os.path.getsize(path)
        except OSError:
            return []
        if size < cursor.position:  # truncated or replaced: start over
            cursor.position, cursor.partial = 0, b""
        if size == cursor.position:
            return []
        start = cursor.position
        if (start == 0 and self.tail_bytes is not None and size > self.tail_bytes
                and not learn_only):
            start = size - self.tail_bytes
        try:
            with path.open("rb") as handle:
                handle.seek(start)
                data = handle.read(size - start)
        except OSError:
            return []
        if start and start != cursor.position:
            data = data.split(b"\n", 1)[-1]  # drop the torn first line of a tail
        cursor.position = size
        data = cursor.partial + data
        lines = data.split(b"\n")
        cursor.partial = lines.pop()
        out: list[Entry] = []
        for raw in lines:
            entry = parse(raw.decode("utf-8", "replace"), name, cursor)
            if entry is not None:
                out.append(entry)
        return out

    @staticmethod
    def _parse_event(line: str, name: str, cursor: _Cursor) -> Entry | None:
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return Entry(
            ts=int(data.get("ts") or 0),
            connector=str(data.get("connector") or name),
            kind="event",
            level=str(data.get("event") or "event"),
            message=str(data.get("message") or ""),
            topic=data.get("topic"),
            offset=data.get("offset"),
        )

    @staticmethod
    def _parse_log(line: str, name: str, cursor: _Cursor) -> Entry | None:
        if not line.strip():
            return None
        match = _LOG_TS.match(line)
        if match:
            try:
                moment = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
                cursor.last_ts = int(moment.timestamp() * 1000)
            except ValueError:
                pass
            return Entry(cursor.last_ts, name, "log", match.group(2).lower(), match.group(3))
        # A continuation line (a traceback, a multi-line message): keep the last time.
        return Entry(cursor.last_ts, name, "log", "", line)


def format_ts(ts: int, *, date: bool = False) -> str:
    moment = datetime.fromtimestamp(ts / 1000).astimezone()
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    return f"{text}.{ts % 1000:03d}"
