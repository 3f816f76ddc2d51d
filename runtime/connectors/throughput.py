"""Records per second over the last minutes, from the counters' `series` in metrics.json
(runtime.connectors.telemetry): what the workbench's sparklines and charts draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS = ("in", "out", "filtered", "errors")


@dataclass(frozen=True, slots=True)
class Throughput:
    """Per-second rates between consecutive samples; `times` are the interval ends as
    seconds before `now` (negative, oldest first)."""

    times: list[float]
    rates: dict[str, list[float]]

    def __len__(self) -> int:
        return len(self.times)


def throughput(series: Sequence[Sequence[float]], now: float) -> Throughput:
    times: list[float] = []
    rates: dict[str, list[float]] = {c: [] for c in COLUMNS}
    for before, after in zip(series, series[1:], strict=False):
        span = after[0] - before[0]
        if span <= 0:
            continue
        times.append(round(after[0] - now, 1))
        for i, column in enumerate(COLUMNS, start=1):
            # a counter never goes down within a run; guard against a hand-edited file
            rates[column].append(max(0.0, (after[i] - before[i]) / span))
    return Throughput(times, rates)
