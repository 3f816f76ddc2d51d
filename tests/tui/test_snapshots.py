"""How each area looks, as SVG snapshots (pytest-textual-snapshot), on fixed data.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.tui.conftest import SIZE, make_app, wait_for
from tests.tui.test_editor import BROKEN
from tui.components.common.status_bar import StatusBar

REPO = Path(__file__).resolve().parents[2]
PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


async def _ready(pilot) -> None:
    """Wait for the first background loads, so the picture never catches them halfway."""
    app = pilot.app
    await wait_for(pilot, lambda: app.query_one(StatusBar).cluster != "unknown")
    await wait_for(pilot, lambda: not any(w.is_running for w in app.workers))
    await pilot.pause(0.2)


def _write_events(home: Path, name: str, topic: str) -> None:
    folder = home / "connectors" / name
    folder.mkdir(parents=True, exist_ok=True)
    events = [
        (0, "start", "generator-source connector `demo-events` starting", None),
        (1500, "error", "record dropped: value is not JSON", 41),
        (9000, "stop", "stopped by SIGTERM after 120 records", None),
    ]
    with (folder / "events.jsonl").open("w") as handle:
        for delta, event, message, offset in events:
            handle.write(json.dumps({"ts": T0 + delta, "connector": name, "event": event,
                                     "message": message, "topic": topic,
                                     "offset": offset}) + "\n")
    (folder / "connector.log").write_text(
        "2026-01-01T00:00:00.200Z INFO  producing to `demo` every 500ms\n"
        "2026-01-01T00:00:01.500Z WARN  record 41 skipped: expected value at line 1\n"
        "2026-01-01T00:00:08.900Z INFO  flushed 120 records, committing\n")


def _write_series(home: Path, name: str) -> None:
    """Five minutes of counters, sampled every 2 s: a burst, a lull, errors near the end."""
    import math

    folder = home / "connectors" / name
    folder.mkdir(parents=True, exist_ok=True)
    series, counts = [], [0, 0, 0, 0]
    for i in range(150):
        rate = 40 + 30 * math.sin(i / 12) + (60 if 60 <= i < 80 else 0)
        counts[0] += round(rate * 2)
        counts[2] += round(rate * 0.4)
        counts[3] += 3 if i > 120 else 0
        counts[1] = counts[0] - counts[2] - counts[3]
        series.append([T0 / 1000 + 2 * i, *counts])
    (folder / "metrics.json").write_text(json.dumps({
        "records_in": counts[0], "records_out": counts[1], "filtered": counts[2],
        "errors": counts[3], "bytes": 0, "last_error": None, "started_at": T0 / 1000,
        "updated_at": T0 / 1000 + 300, "series": series}))


def test_editor_with_problems(snap_compare, tmp_path: Path) -> None:
    path = tmp_path / "cat-facts.yaml"
    path.write_text(BROKEN)

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.query_one("#editor-path").update("cat-facts.yaml")

    assert snap_compare(make_app(start_area="editor", open_file=path), terminal_size=SIZE,
                        run_before=run_before)


def test_logs_timeline(snap_compare, weir_home: Path) -> None:
    _write_events(weir_home, "demo-events", "demo")
    assert snap_compare(make_app(start_area="logs"), terminal_size=SIZE, run_before=_ready)


def test_connectors_list(snap_compare, weir_home: Path) -> None:
    from runtime.launch.records import STOPPED, ConnectorRecord, save_record

    record = ConnectorRecord(name="demo-events", type="generator-source", kind="source",
                             topic="demo", profile="local", cwd=str(weir_home),
                             desired="stopped", status=STOPPED, restarts=2,
                             created_at=T0 / 1000, last_error="record 41: not JSON")
    save_record(record, weir_home)
    _write_events(weir_home, "demo-events", "demo")
    _write_series(weir_home, "demo-events")  # the Last 5 min sparkline and the chart

    async def run_before(pilot) -> None:
        await _ready(pilot)
        table = pilot.app.query_one("#connectors-table")
        await wait_for(pilot, lambda: table.row_count == 1)
        # A DataTable widens its columns to the new row on idle, after add_row: wait for
        # that, or a loaded machine photographs the header-wide columns.
        await wait_for(pilot, lambda: max(c.content_width for c in table.columns.values())
                       >= len("generator-source"))
        await pilot.pause(0.2)

    assert snap_compare(make_app(start_area="connectors"), terminal_size=SIZE,
                        run_before=run_before)


def test_smartmodules_playground(snap_compare, weir_home: Path) -> None:
    from smartmodules import registry

    registry.create("contains-filter", PREBUILT / "contains_filter.wasm")
    registry.create("parse-int", PREBUILT / "parse_int.wasm")

    async def run_before(pilot) -> None:
        from tui.components.smartmodules.playground import Playground

        playground = pilot.app.query_one(Playground)
        playground.set_chain("- uses: contains-filter\n  with: {contains: '1'}\n"
                             "- uses: parse-int\n")
        playground.set_samples("10\n21\nx1\n31\n5\n")
        await wait_for(pilot, lambda: len(playground.columns) == 3)
        await _ready(pilot)
        # measured times vary from run to run: photograph fixed ones
        from dataclasses import replace

        playground.show_columns([replace(c, us_per_record=t) for c, t in
                                 zip(playground.columns, (None, 2.4, 1.1), strict=True)])
        await pilot.pause(0.2)
        pilot.app.query_one("#sm-table").focus()

    assert snap_compare(make_app(start_area="smartmodules"), terminal_size=SIZE,
                        run_before=run_before)


def test_help_screen(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press("f1")
        await pilot.pause(0.2)

    app = make_app(start_area="connectors",  # the path F1 names, the same on every machine
                   settings_file=Path("/home/you/.local/share/weir/tui.yaml"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_topics_tail(snap_compare, weir_home: Path) -> None:
    from runtime.topics import open_store
    from runtime.topics.record import ProduceRecord
    from runtime.topics.store import TopicSpec

    store = open_store()
    store.create_topic(TopicSpec("demo", partitions=1))
    store.create_topic(TopicSpec("empty", partitions=3))
    store.append("demo", [ProduceRecord(json.dumps({"n": i, "level": "info"}).encode(),
                                        key=b"k%d" % (i % 4), timestamp=T0 + 250 * i)
                          for i in range(40)])
    store.commit_offset("demo-sink", "demo", 0, 30)  # shown with its lag under the topics
    store.close()
    _write_events(weir_home, "demo-events", "demo")

    async def run_before(pilot) -> None:
        from tui.components.topics.tail_view import TailView

        await _ready(pilot)
        await pilot.press("b")
        tail = pilot.app.query_one(TailView)
        await wait_for(pilot, lambda: tail.total == 40)
        await wait_for(pilot, lambda: len(pilot.app.query_one("#topic-logs").entries) == 6)
        await pilot.press("up", "up", "up")
        # its growth over the last two minutes, on a clock held still so no refresh moves it
        pane = pilot.app.query_one("#topics-pane")
        pane.clock = lambda: 1000.0
        counts = [0, 0, 2, 5, 9, 9, 12, 18, 20, 21, 21, 24, 30, 33, 35, 36, 38, 40, 40, 40]
        for name in ("demo", "empty"):
            pane._growth[name].clear()
            pane._growth[name].extend((1000.0 - 6 * (19 - i), n if name == "demo" else 0)
                                      for i, n in enumerate(counts))
        pane.refresh_topics()
        await _ready(pilot)

    assert snap_compare(make_app(start_area="topics"), terminal_size=SIZE,
                        run_before=run_before)
