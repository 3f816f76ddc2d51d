"""The pictures read real data: a topic's growth between refreshes, a connector's rates
from its telemetry (the looks are in test_snapshots.py)."""

from __future__ import annotations

from rich.text import Text
from textual.renderables.sparkline import Sparkline

from runtime.topics import open_store
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec
from tests.tui.conftest import SIZE, make_app, ready, wait_for
from tui.components.topics.pane import TopicsPane


def _append(topic: str, n: int) -> None:
    store = open_store()
    try:
        store.append(topic, [ProduceRecord(b"x")] * n)
    finally:
        store.close()


async def test_topic_growth_is_records_per_second_between_refreshes() -> None:
    store = open_store()
    store.create_topic(TopicSpec("grows", partitions=2))
    store.close()
    app = make_app(start_area="topics")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = app.query_one(TopicsPane)
        now = [100.0]
        pane.clock = lambda: now[0]
        pane._growth.clear()
        for step, added in ((0.0, 0), (2.0, 10), (2.0, 30), (4.0, 0)):
            _append("grows", added)
            now[0] += step
            pane.refresh_topics()
            await wait_for(pilot, lambda: (pane._growth.get("grows") or [(0, 0)])[-1][0] == now[0])
        times, rates = pane.growth("grows")
        assert rates == [5.0, 15.0, 0.0] and times == [-6.0, -4.0, 0.0]
        cell = pane.query_one("#topics-table").get_cell("grows", "growth")
        assert isinstance(cell, Sparkline)
        await pilot.press("c")  # the charts hide, and come back
        assert not pane.query_one("#topic-charts").display
        await pilot.press("c")
        assert pane.query_one("#topic-charts").display


async def test_a_connector_without_samples_has_a_blank_sparkline(weir_home) -> None:
    from runtime.connectors.telemetry import Metrics, write_metrics

    write_metrics("quiet", Metrics(started_at=1.0), weir_home)  # one sample: no rate yet
    (weir_home / "connectors" / "quiet" / "process.json").write_text(
        '{"pid": 1, "config": null, "started_at": 1.0}')
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = app.query_one("#connectors-pane")
        await wait_for(pilot, lambda: "quiet" in pane.rows)
        cell = pane.query_one("#connectors-table").get_cell("quiet", "spark")
        assert isinstance(cell, Text) and cell.plain.strip("▁") == ""


def test_the_playground_times_each_stage_per_record(weir_home) -> None:
    from smartmodules import registry
    from tests.tui.test_snapshots import PREBUILT
    from tui.components.smartmodules.playground import run_chain

    registry.create("contains-filter", PREBUILT / "contains_filter.wasm")
    registry.create("parse-int", PREBUILT / "parse_int.wasm")
    columns = run_chain("- uses: contains-filter\n  with: {contains: '1'}\n- uses: parse-int\n",
                        "10\n21\n31\n5\n")
    assert [c.title for c in columns] == ["input", "contains-filter", "parse-int"]
    assert columns[0].us_per_record is None
    assert all(c.us_per_record > 0 for c in columns[1:])
