"""The tail, as issue 15 asks: `g OFFSET` puts that record at the top of the view, a paused
tail counts what arrived meanwhile, the Topics table never shows fewer records than it."""

from __future__ import annotations

from runtime.topics import open_store
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec
from tests.tui.conftest import SIZE, answer_prompt, make_app, ready, wait_for
from tui.components.topics.pane import TopicsPane
from tui.components.topics.tail_view import TailView


def _append(store, n: int, start: int) -> None:
    store.append("long", [ProduceRecord(b'{"n": %d}' % i) for i in range(start, start + n)])


async def test_jump_pause_and_counts() -> None:
    store = open_store()
    store.create_topic(TopicSpec("long", partitions=1))
    _append(store, 300, 0)
    app = make_app(start_area="topics")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            topics = app.query_one(TopicsPane)
            tail = app.query_one(TailView)
            await wait_for(pilot, lambda: topics.topic == "long")
            tail.focus()

            await pilot.press("g")
            await answer_prompt(pilot, "120")
            await wait_for(pilot, lambda: tail.total == 180)
            await pilot.pause(0.2)
            assert tail.scroll_offset.y == 0 and tail.cursor == 0
            assert tail.visible_records()[0].offset == 120  # at the top, not scrolled past
            assert not tail.following  # more arriving does not move it away
            _append(store, 5, 300)
            await wait_for(pilot, lambda: tail.total == 185)
            assert tail.scroll_offset.y == 0 and tail.new_count == 5

            await pilot.press("p")
            await wait_for(pilot, lambda: topics.stream.paused)
            _append(store, 7, 305)
            await wait_for(pilot, lambda: topics.arrived_while_paused == 7, timeout=10)
            state = str(app.query_one("#tail-state").render())
            assert "paused · 7 new since" in state
            assert tail.total == 185  # nothing shown while paused
            await pilot.press("p")
            await wait_for(pilot, lambda: tail.total == 192)

            # the table's count keeps up with the tail between its own refreshes
            _append(store, 50, 312)
            await wait_for(pilot, lambda: tail.total == 242)
            table = topics.query_one("#topics-table")

            def shown() -> int:
                return int(str(table.get_cell("long", table.ordered_columns[2].key))
                           .replace(",", ""))

            await wait_for(pilot, lambda: shown() == 362, timeout=1.5)
    finally:
        store.close()
