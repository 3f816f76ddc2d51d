"""The Topics area: topics with partitions and counts, a live tail, its connectors' logs."""

from __future__ import annotations

import asyncio
import time
from collections import deque

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from runtime.connectors.timeline import TimelineReader
from runtime.errors import WeirError
from runtime.human import human_size
from tui.components.common.charts import BarChart, LineChart, sparkline_cell
from tui.components.common.errors import ReportsWorkerErrors, describe_error
from tui.components.common.modals import PromptScreen
from tui.components.logs.timeline_view import TimelineView
from tui.components.topics.stream import START_BEGINNING, START_END, TopicStream
from tui.components.topics.tail_status import TailStatus
from tui.components.topics.tail_view import HEADER, TailView, record_json

GROWTH_WIDTH = 8


class RecordScreen(ModalScreen[None]):
    """One record in full, its JSON value pretty-printed."""

    DEFAULT_CSS = """
    RecordScreen { align: center middle; }
    RecordScreen > VerticalScroll {
        width: 90%; height: 80%; border: thick $accent; background: $panel; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="record.close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(self.text))

    def action_close(self) -> None:
        self.dismiss(None)


class TopicsPane(ReportsWorkerErrors, Horizontal):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="topics.filter",
                tooltip="Show only records whose key or value contains a text"),
        Binding("p", "pause", "Pause/resume", id="topics.pause",
                tooltip="Stop reading new records; resume where it stopped"),
        Binding("g", "jump", "Jump to offset", id="topics.jump",
                tooltip="Restart the tail from an offset"),
        Binding("b", "from_beginning", "From beginning", id="topics.beginning"),
        Binding("0", "from_now", "Tail from now", id="topics.now"),
        Binding("l", "toggle_logs", "Logs panel", id="topics.logs",
                tooltip="Show or hide the connectors' logs beside the tail"),
        Binding("c", "toggle_charts", "Charts", id="topics.charts",
                tooltip="Show or hide the topic's growth and its partitions' sizes"),
        Binding("R", "refresh_topics", "Refresh", id="topics.refresh", show=False),
    ]
    GROWTH_SAMPLES = 150  # five minutes at one refresh every 2 s

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.topic: str | None = None
        self.stream: TopicStream | None = None
        self._start: str | int = START_END
        self._lags: list = []
        self._topics: dict = {}  # name -> TopicInfo of the last refresh
        # name -> (monotonic time, record count) at each refresh: the topic's growth
        self._growth: dict[str, deque[tuple[float, int]]] = {}
        self.clock = time.monotonic  # when growth is sampled (a test can hold it still)
        self._jump_to_top = False  # the next records start at the offset jumped to
        self._pause_mark: int | None = None  # the topic's records when the tail paused
        self.arrived_while_paused = 0
        self._counted_at = 0.0  # when the tailed topic's count last followed the tail
        self._count_due = False  # the tail read more than the count shows

    def compose(self) -> ComposeResult:
        with Vertical(id="topics-side"):
            yield Label("Topics", id="topics-side-title", classes="section-title")
            table: DataTable[str] = DataTable(id="topics-table", cursor_type="row")
            table.add_columns("Name", "P", "Records")
            table.add_column("Growth", key="growth", width=GROWTH_WIDTH)
            yield table
            yield Label("Consumers", id="consumers-title", classes="section-title")
            consumers: DataTable[str] = DataTable(id="consumers-table", cursor_type="row")
            consumers.add_columns("Consumer", "Lag")
            yield consumers
        with Vertical(id="tail-box"):
            with Horizontal(id="tail-bar"):
                yield Label("no topic", id="tail-title")
                yield TailStatus(id="tail-state")
                yield TailStatus(id="tail-badge")
            yield Input(placeholder="filter: text in key or value (esc: clear)",
                        id="tail-filter", classes="-hidden")
            with Horizontal(id="topic-charts"):
                yield LineChart(id="topic-growth")
                yield BarChart(id="topic-partitions")
            yield Label(HEADER, id="tail-header")
            yield TailView(max_lines=self._max_lines(), id="tail")
        with Vertical(id="topic-logs-box"):
            yield Label("Connectors on this topic", id="topic-logs-title",
                        classes="section-title")
            yield TimelineView(TimelineReader(names=set()), compact=True, id="topic-logs")

    def _max_lines(self) -> int:
        settings = getattr(self.app, "settings", None)
        return settings.tail_max_lines if settings else 10_000

    def on_mount(self) -> None:
        settings = getattr(self.app, "settings", None)
        flush = (settings.tail_flush_ms if settings else 80) / 1000
        self.set_interval(flush, self.flush)
        self.set_interval(2.0, self.refresh_topics)
        self.refresh_topics()

    def on_unmount(self) -> None:
        self._stop_stream()

    def focus_default(self) -> None:
        target = self.query_one(TailView) if self.topic else self.query_one("#topics-table")
        target.focus()

    # -- topics list ------------------------------------------------------------------

    @work(exclusive=True, group="topics-list", exit_on_error=False)
    async def refresh_topics(self) -> None:
        side = self.query_one("#topics-side-title", Label)
        try:
            topics, self._lags = await asyncio.to_thread(_list_topics)
        except Exception as exc:  # noqa: BLE001 - shown in place; the next tick retries
            side.update(Text(f"Topics: {describe_error(exc)}", "red"))
            return
        side.update(f"Topics ({len(topics)})")
        self._show_consumers()
        now = self.clock()
        self._topics = {t.spec.name: t for t in topics}
        self._count_while_paused()
        for info in topics:
            samples = self._growth.setdefault(info.spec.name,
                                              deque(maxlen=self.GROWTH_SAMPLES))
            samples.append((now, info.record_count))
        table = self.query_one("#topics-table", DataTable)
        current = table.cursor_row
        keys = [str(k.value) for k in table.rows]
        names = [t.spec.name for t in topics]
        if keys != names:
            table.clear()
            for info in topics:
                table.add_row(info.spec.name, str(len(info.partitions)),
                              f"{info.record_count:,}", self._growth_cell(info.spec.name),
                              key=info.spec.name)
            if names:
                table.move_cursor(row=min(current, len(names) - 1))
        else:
            for info in topics:
                table.update_cell(info.spec.name, table.ordered_columns[2].key,
                                  f"{info.record_count:,}")
                table.update_cell(info.spec.name, "growth", self._growth_cell(info.spec.name))
        self._show_charts()
        if self.topic is None and names and self.is_mounted:
            self.select_topic(names[0] if current is None else names[min(current,
                                                                         len(names) - 1)])

    def _count_while_paused(self) -> None:
        """Records that reached the tailed topic since its tail paused (the stream reads
        nothing meanwhile, so this counts the topic's offsets)."""
        info = self._topics.get(self.topic or "")
        if self.stream is None or not self.stream.paused or info is None:
            return
        latest = sum(p.latest for p in info.partitions)
        self.arrived_while_paused = max(0, latest - (self._pause_mark or latest))
        self._show_state()

    def growth(self, topic: str) -> tuple[list[float], list[float]]:
        """Records/s between refreshes: (seconds before the last one, rate), oldest first."""
        samples = list(self._growth.get(topic, ()))
        if not samples:
            return [], []
        last = samples[-1][0]
        times, rates = [], []
        for (t0, n0), (t1, n1) in zip(samples, samples[1:], strict=False):
            if t1 > t0:
                times.append(round(t1 - last, 1))
                rates.append(max(0.0, (n1 - n0) / (t1 - t0)))  # retention can shrink it
        return times, rates

    def _growth_cell(self, topic: str):
        return sparkline_cell(self.growth(topic)[1], GROWTH_WIDTH)

    def _show_charts(self) -> None:
        charts = self.query_one("#topic-charts")
        info = self._topics.get(self.topic or "")
        if not charts.display or info is None:
            return
        times, rates = self.growth(info.spec.name)
        self.query_one("#topic-growth", LineChart).show(
            f"{info.spec.name}: records/s", times, {"records": rates})
        parts = info.partitions
        self.query_one("#topic-partitions", BarChart).show(
            f"KiB a partition, {human_size(sum(p.size_bytes for p in parts))} in all",
            [str(p.partition) for p in parts], [p.size_bytes / 1024 for p in parts])

    def action_toggle_charts(self) -> None:
        charts = self.query_one("#topic-charts")
        charts.display = not charts.display
        self._show_charts()

    def _show_consumers(self) -> None:
        """The selected topic's named consumers (`consume -c`, sinks), lag summed over
        its partitions."""
        lags: dict[str, int] = {}
        for c in self._lags:
            if c.topic == self.topic:
                lags[c.consumer] = lags.get(c.consumer, 0) + c.lag
        self.query_one("#consumers-title", Label).update(f"Consumers ({len(lags)})")
        table = self.query_one("#consumers-table", DataTable)
        table.clear()
        for name, lag in sorted(lags.items()):
            table.add_row(name, f"{lag:,}", key=name)

    @on(DataTable.RowSelected, "#topics-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.select_topic(str(event.row_key.value), start=START_END)
        self.query_one(TailView).focus()

    def action_refresh_topics(self) -> None:
        self.refresh_topics()

    # -- the tail ---------------------------------------------------------------------

    def select_topic(self, topic: str, start: str | int = START_END) -> None:
        """Tail `topic` from `start` ("end", "beginning" or an offset)."""
        self._stop_stream()
        self.topic = topic
        self._start = start
        tail = self.query_one(TailView)
        tail.clear()
        self.query_one("#tail-title", Label).update(Text(topic, "bold"))
        self.stream = TopicStream(topic, start=start,
                                  max_pending=max(10_000, self._max_lines() * 2))
        self.stream.start_thread()
        self._show_state()
        self.query_one(TimelineView).retarget(TimelineReader(topic=topic))
        self.query_one("#topic-logs-title", Label).update(f"Logs of {topic}'s connectors")
        self._show_consumers()
        self._show_charts()
        table = self.query_one("#topics-table", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(topic))
        except Exception:  # noqa: BLE001 - the topic may not be listed yet
            pass

    def _stop_stream(self) -> None:
        if self.stream is not None:
            self.stream.stop(timeout=1.0)
            self.stream = None

    def flush(self) -> None:
        """One timer tick: hand everything the stream read to the view in one batch."""
        stream = self.stream
        if stream is None:
            return
        batch = stream.take()
        if batch:
            if len(stream.positions) > 1:
                batch.sort(key=lambda r: r.timestamp)  # partitions interleaved by time
            tail = self.query_one(TailView)
            tail.add(batch)
            if self._jump_to_top:  # `g OFFSET`: that record first in view, not scrolled past
                self._jump_to_top = False
                tail.action_top()
            self._count_due = True
        if self._count_due:
            self._show_live_count(stream)
        if batch or stream.waited:  # a waiting tail's line says when its topic came
            self._show_state()
        if stream.error is not None and not stream.alive:
            error = stream.error
            self.stream = None
            message = error.message if isinstance(error, WeirError) else f"{error}"
            self.notify(f"tail of {stream.topic} stopped: {message}", title="Tail",
                        severity="error")
            self.query_one("#tail-state", TailStatus).show(Text("✖ stopped", "red"))

    def _show_live_count(self, stream: TopicStream) -> None:
        """The tailed topic's Records cell as far as the tail has read, between refreshes,
        so the table never shows fewer records than the tail."""
        info = self._topics.get(stream.topic)
        now = time.monotonic()
        if info is None or not stream.positions or now - self._counted_at < 0.5:
            return  # a table cell twice a second is plenty, whatever the tail's rate
        self._counted_at, self._count_due = now, False
        earliest = {p.partition: p.earliest for p in info.partitions}
        live = sum(max(0, pos - earliest.get(p, 0)) for p, pos in stream.positions.items())
        if live > info.record_count:
            table = self.query_one("#topics-table", DataTable)
            try:
                table.update_cell(stream.topic, table.ordered_columns[2].key, f"{live:,}")
            except Exception:  # noqa: BLE001 - the row may be gone (topic deleted)
                pass

    def _show_state(self) -> None:
        tail = self.query_one(TailView)
        stream = self.stream
        if stream is None:
            state = Text("stopped", "dim")
        elif stream.waiting:
            state = Text("… waiting for the topic to be created", "yellow")
        elif stream.paused:
            state = Text(f"⏸ paused · {self.arrived_while_paused:,} new since", "yellow")
        elif tail.following:
            state = Text("● live", "green")
        else:
            state = Text("↑ scrolled", "dim")
        info = f" · {tail.total:,} received"
        if tail.needle:
            info += f", {tail.row_count:,} match"
        if tail.dropped:
            info += f", {tail.dropped:,} out of history"
        if stream is not None and stream.skipped:
            info += f", {stream.skipped:,} skipped"
        self.query_one("#tail-state", TailStatus).show(state + Text(info, "dim"))

    @on(TailView.FollowChanged)
    def _follow_changed(self, event: TailView.FollowChanged) -> None:
        badge = self.query_one("#tail-badge", TailStatus)
        if not event.following and event.new_count:
            badge.show(Text(f" +{event.new_count:,} new ", "bold black on yellow"))
        else:
            badge.show(Text())
        self._show_state()

    @on(TailView.Inspect)
    def _inspect(self, event: TailView.Inspect) -> None:
        self.app.push_screen(RecordScreen(record_json(event.record)))

    def action_pause(self) -> None:
        if self.stream is None:
            if self.topic:
                self.select_topic(self.topic, start=START_END)
            return
        if self.stream.paused:
            self.stream.resume()
            self._pause_mark = None
        else:
            self.stream.pause()
            # what the tail has read: anything past it came (or waits) since the pause
            self._pause_mark = sum(self.stream.positions.values())
            self.arrived_while_paused = 0
            self.refresh_topics()
        self._show_state()

    def action_filter(self) -> None:
        box = self.query_one("#tail-filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Changed, "#tail-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(TailView).set_filter(event.value)
        self._show_state()

    @on(Input.Submitted, "#tail-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.add_class("-hidden")
        self.query_one(TailView).focus()

    def key_escape(self) -> None:
        box = self.query_one("#tail-filter", Input)
        if box.has_focus or box.value:
            box.value = ""
            box.add_class("-hidden")
            self.query_one(TailView).focus()

    def action_jump(self) -> None:
        if not self.topic:
            self.notify("pick a topic first", title="Jump")
            return
        self.app.push_screen(
            PromptScreen(f"Tail {self.topic} from offset", "0", placeholder="offset"),
            self._jump_to,
        )

    def _jump_to(self, value: str | None) -> None:
        if value is None or self.topic is None:
            return
        try:
            offset = int(value)
            if offset < 0:
                raise ValueError
        except ValueError:
            self.notify(f"not an offset: {value!r} (a whole number >= 0)", title="Jump",
                        severity="error")
            return
        self.select_topic(self.topic, start=offset)
        self._jump_to_top = True

    def action_toggle_logs(self) -> None:
        box = self.query_one("#topic-logs-box")
        box.display = not box.display

    def action_from_beginning(self) -> None:
        if self.topic:
            self.select_topic(self.topic, start=START_BEGINNING)

    def action_from_now(self) -> None:
        if self.topic:
            self.select_topic(self.topic, start=START_END)


def _list_topics():
    """The topics, and every named consumer's lag."""
    from runtime.topics import open_store
    from runtime.topics.lag import consumer_lags

    store = open_store()
    try:
        return sorted(store.list_topics(), key=lambda t: t.spec.name), consumer_lags(store)
    finally:
        store.close()
