"""One line of the Connectors table, read from the view every mode shares
(runtime.launch.views): what the table, the detail line and the rates need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    series: tuple[tuple[float, ...], ...] = ()  # [ts, in, out, filtered, errors] samples

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
            series=tuple(tuple(s) for s in metrics.get("series") or ()),
        )

    @property
    def running(self) -> bool:
        return self.status.lower() in ("running", "starting", "restarting")
