"""Connectors, Topics and Logs together: start a generator connector from the workbench,
watch its records arrive in the tail, stop it and see the stop event beside the records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec
from tests.tui.conftest import SIZE, answer_prompt, make_app, ready, wait_for
from tui.components.common.modals import ChoiceScreen, ConfirmScreen
from tui.components.connectors.pane import ConnectorsPane
from tui.components.editor.pane import EditorPane
from tui.components.logs.pane import LogsPane
from tui.components.logs.timeline_view import TimelineView
from tui.components.topics.pane import RecordScreen, TopicsPane
from tui.components.topics.tail_view import TailView

GENERATOR = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: tui-gen
  type: generator-source
  topic: tui-events
  producer:
    linger: 10ms
generator:
  template: '{"n": {{n}}, "kind": "tick"}'
  rate: 40
"""




async def _choose(pilot, choice: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    app.screen.dismiss(choice)
    await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceScreen))


@pytest.mark.integration
async def test_start_a_generator_see_its_records_then_stop_it(tmp_path: Path) -> None:
    config = tmp_path / "gen.yaml"
    config.write_text(GENERATOR)
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        connectors = app.query_one(ConnectorsPane)
        try:
            await pilot.press("a")  # run a config file...
            await answer_prompt(pilot, str(config))
            await _choose(pilot, "process")  # ...as a local process
            await wait_for(pilot, lambda: "tui-gen" in connectors.rows
                           and connectors.rows["tui-gen"].running, timeout=60)
            row = connectors.rows["tui-gen"]
            assert (row.mode, row.type, row.topic) == ("process", "generator-source",
                                                       "tui-events")

            await pilot.press("t")  # tail its topic
            topics = app.query_one(TopicsPane)
            await wait_for(pilot, lambda: app.area == "topics" and topics.topic == "tui-events")
            tail = app.query_one(TailView)
            await wait_for(pilot, lambda: tail.total >= 5, timeout=60)
            values = [json.loads(r.value) for r in tail.visible_records()]
            assert all(v["kind"] == "tick" for v in values)
            numbers = [v["n"] for v in values]
            assert numbers == sorted(numbers)  # in order, none repeated
            timeline = topics.query_one(TimelineView)
            await wait_for(pilot, lambda: any(e.level == "start" for e in timeline.entries))

            await pilot.press("f2")
            await pilot.press("o")  # its config in the editor
            editor = app.query_one(EditorPane)
            await wait_for(pilot, lambda: app.area == "editor" and editor.path == config)
            await pilot.press("f2")
            await wait_for(pilot, lambda: app.area == "connectors")
            await pilot.press("x")  # stop it
            await wait_for(pilot, lambda: not connectors.rows["tui-gen"].running
                           if "tui-gen" in connectors.rows else True, timeout=60)
            await pilot.press("f5")
            await wait_for(pilot, lambda: any(e.level == "stop" and e.connector == "tui-gen"
                                              for e in timeline.entries), timeout=30)
            received = tail.total
            await pilot.pause(1.0)
            assert tail.total == received  # nothing arrives after the stop

            await pilot.press("f6")  # the Logs area has the same story for the connector
            logs = app.query_one(LogsPane)
            logs.show_connector("tui-gen")
            view = logs.query_one(TimelineView)
            await wait_for(pilot, lambda: [e.level for e in view.entries if e.kind == "event"]
                           [-2:] == ["start", "stop"])
        finally:
            for row in connectors.rows.values():
                if row.running:
                    from runtime.launch import control

                    control.stop(row.name)


async def test_tail_filter_pause_jump_and_inspect() -> None:
    from runtime.topics import open_store

    store = open_store()
    store.create_topic(TopicSpec("orders", partitions=1))
    store.append("orders", [ProduceRecord(json.dumps({"id": i, "item": "tea" if i % 3 else
                                                      "cake"}).encode(), key=b"k%d" % i,
                                          timestamp=1_767_225_600_000 + i)
                            for i in range(30)])
    app = make_app(start_area="topics")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        topics = app.query_one(TopicsPane)
        await wait_for(pilot, lambda: topics.topic == "orders")
        tail = app.query_one(TailView)
        await pilot.press("b")  # from the beginning
        await wait_for(pilot, lambda: tail.total == 30)
        tail.focus()

        await pilot.press("slash")
        await pilot.press(*"cake")
        await wait_for(pilot, lambda: tail.row_count == 10)
        assert all(b"cake" in r.value for r in tail.visible_records())
        await pilot.press("enter")  # the filter stays, focus goes back to the tail
        await wait_for(pilot, lambda: app.focused is tail)

        await pilot.press("up", "up")  # scrolled up: no longer following
        await wait_for(pilot, lambda: not tail.following)
        store.append("orders", [ProduceRecord(b'{"id": 30, "item": "cake"}'),
                                ProduceRecord(b'{"id": 31, "item": "tea"}')])
        await wait_for(pilot, lambda: tail.total == 32)
        assert tail.new_count == 1  # one new match while scrolled up
        badge = app.query_one("#tail-badge")
        await wait_for(pilot, lambda: "+1 new" in str(badge.render()))
        await pilot.press("end")
        await wait_for(pilot, lambda: tail.following and tail.new_count == 0)
        await wait_for(pilot, lambda: str(badge.render()) == "")

        await pilot.press("enter")  # inspect: JSON pretty-printed
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen))
        assert '"item": "cake"' in app.screen.text and '\n  "id": 30' in app.screen.text
        await pilot.press("escape")

        await pilot.press("escape")  # clear the filter
        await wait_for(pilot, lambda: tail.row_count == 32)

        await pilot.press("p")  # pause: nothing new shows
        await wait_for(pilot, lambda: topics.stream.paused)
        store.append("orders", [ProduceRecord(b'{"id": 32}')])
        await pilot.pause(0.5)
        assert tail.total == 32
        await pilot.press("p")
        await wait_for(pilot, lambda: tail.total == 33)

        await pilot.press("g")  # jump to offset 25
        await answer_prompt(pilot, "25")
        await wait_for(pilot, lambda: tail.total == 8)
        assert [r.offset for r in tail.visible_records()][0] == 25

        logs_box = app.query_one("#topic-logs-box")
        await pilot.press("l")  # hide the logs beside the tail, and back
        assert not logs_box.display
        await pilot.press("l")
        assert logs_box.display

        await pilot.press("g")
        await answer_prompt(pilot, "-3")
        await wait_for(pilot, lambda: any("not an offset" in n.message
                                          for n in app._notifications))


async def test_tail_history_is_bounded() -> None:
    from runtime.topics import open_store
    from tui.settings import TuiSettings

    store = open_store()
    store.create_topic(TopicSpec("big", partitions=1))
    store.append("big", [ProduceRecord(b"%d" % i) for i in range(2500)])
    app = make_app(start_area="topics", settings=TuiSettings(tail_max_lines=1000))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        topics = app.query_one(TopicsPane)
        await wait_for(pilot, lambda: topics.topic == "big")
        await pilot.press("b")
        tail = app.query_one(TailView)
        await wait_for(pilot, lambda: tail.total == 2500)
        assert len(tail.records) == 1000 and tail.dropped == 1500
        assert tail.visible_records()[0].value == b"1500"


async def test_delete_asks_first(tmp_path: Path, weir_home: Path) -> None:
    from runtime.launch.records import STOPPED, ConnectorRecord, load_all, save_record

    save_record(ConnectorRecord(name="old", type="generator-source", kind="source",
                                topic="t", profile="local", cwd=str(tmp_path),
                                desired="stopped", status=STOPPED), weir_home)
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        connectors = app.query_one(ConnectorsPane)
        await wait_for(pilot, lambda: "old" in connectors.rows)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause(0.3)
        assert [r.name for r in load_all(weir_home)] == ["old"]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # The cluster is not running: deleting a managed connector says so, nothing breaks.
        await wait_for(pilot, lambda: any("Delete" == (n.title or "")
                                          for n in app._notifications))


@pytest.mark.integration
async def test_managed_connector_create_describe_restart_delete(tmp_path: Path,
                                                                weir_home: Path) -> None:
    from runtime.launch.cluster import start_cluster, stop_cluster

    config = tmp_path / "managed.yaml"
    config.write_text(GENERATOR.replace("tui-gen", "tui-managed"))
    start_cluster(weir_home)
    try:
        app = make_app(start_area="connectors", watch_cluster=True)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            connectors = app.query_one(ConnectorsPane)
            await pilot.press("a")
            await answer_prompt(pilot, str(config))
            await _choose(pilot, "managed")
            await wait_for(pilot, lambda: "tui-managed" in connectors.rows
                           and connectors.rows["tui-managed"].running, timeout=60)
            assert connectors.rows["tui-managed"].mode == "managed"
            assert "cluster stopped" not in str(app.query_one("#connectors-title").render())

            await pilot.press("i")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "MessageScreen")
            assert app.screen.text.lstrip("-\n").startswith("apiVersion: 0.1.0")
            assert "status: Running" in app.screen.text
            await pilot.press("escape")

            await pilot.press("x")
            await wait_for(pilot, lambda: connectors.rows["tui-managed"].status == "Stopped",
                           timeout=60)
            await pilot.press("s")
            await wait_for(pilot, lambda: connectors.rows["tui-managed"].running, timeout=60)

            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: "tui-managed" not in connectors.rows, timeout=60)
    finally:
        stop_cluster(weir_home)


async def test_a_tail_opened_before_its_topic_exists_waits_for_it() -> None:
    from runtime.topics import open_store
    from tui.components.topics.tail_status import TailStatus

    app = make_app(start_area="topics")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        topics = app.query_one(TopicsPane)
        topics.select_topic("not-yet")
        state = app.query_one("#tail-state", TailStatus)
        await wait_for(pilot, lambda: "waiting for the topic" in str(state.render()))
        store = open_store()
        try:
            store.create_topic(TopicSpec("not-yet", partitions=1))
            store.append("not-yet", [ProduceRecord(b"first"), ProduceRecord(b"second")])
        finally:
            store.close()
        tail = app.query_one(TailView)
        await wait_for(pilot, lambda: tail.total == 2)
        assert [r.value for r in tail.records] == [b"first", b"second"]
        assert "waiting" not in str(state.render()) and topics.stream.alive


async def test_topics_area_shows_the_selected_topics_consumers_and_lag() -> None:
    from textual.widgets import DataTable

    from runtime.topics import open_store

    store = open_store()
    try:
        store.create_topic(TopicSpec("lagging", partitions=2))
        store.append("lagging", [ProduceRecord(b"x")] * 10, 0)
        store.append("lagging", [ProduceRecord(b"y")] * 4, 1)
        store.commit_offset("slow-sink", "lagging", 0, 3)
        store.commit_offset("slow-sink", "lagging", 1, 4)
        store.commit_offset("reader", "lagging", 0, 10)
    finally:
        store.close()
    app = make_app(start_area="topics")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        topics = app.query_one(TopicsPane)
        await wait_for(pilot, lambda: topics.topic == "lagging")
        table = app.query_one("#consumers-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows == [["reader", "0"], ["slow-sink", "7"]]
