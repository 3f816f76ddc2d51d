"""The playground: sample records through a chain, every stage's output side by side.

The chain is YAML like a connector's `transforms` (`- uses: NAME` with optional `with:`),
the samples one record value a line. Any change re-runs the chain (debounced) in a thread;
a record a module failed on is marked in the column before that module.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from runtime.errors import WeirError
from runtime.human import plural
from runtime.topics.record import Record
from smartmodules.spec import TransformSpec
from tui.components.common.charts import BarChart
from tui.components.common.errors import ReportsWorkerErrors


@dataclass(frozen=True, slots=True)
class StageView:
    title: str
    records: list[Record]
    error_offset: int | None = None  # the record (in this column) the next stage failed on
    error: str | None = None
    us_per_record: float | None = None  # the stage's call time over the records handed it


def parse_chain(text: str) -> list[TransformSpec]:
    """The chain pane's `- uses: NAME` list; WeirError says where and what is wrong."""
    from smartmodules.transforms_file import parse_transforms

    return parse_transforms(text, "chain") if text.strip() else []


def sample_records(text: str, base_timestamp: int) -> list[Record]:
    """One record a line; `key => value` gives the record a key."""
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        key = None
        if " => " in line:
            head, line = line.split(" => ", 1)
            key = head.encode()
        records.append(Record(len(records), base_timestamp, key, line.encode()))
    return records


def run_chain(chain_text: str, samples_text: str) -> list[StageView]:
    """Build the chain, process the samples, one column per stage (blocking)."""
    from smartmodules.chain import build_chain

    specs = parse_chain(chain_text)
    records = sample_records(samples_text, int(time.time() * 1000))
    columns = [StageView("input", records)]
    if not specs:
        return columns
    chain = build_chain(specs)
    try:
        result = chain.process(records, base_offset=0)
    finally:
        chain.close()
    for stage in result.stages:
        per = stage.seconds * 1e6 / stage.records_in if stage.records_in else None
        columns.append(StageView(stage.module, stage.records, us_per_record=per))
    if result.error is not None:
        error = result.error
        failed = len(result.stages)  # the stage that failed is the last one reported
        if error.kind in ("runtime",) and result.stages:
            failed = len(result.stages) - 1
        index = min(failed, len(columns) - 1)
        before = columns[index]
        columns[index] = StageView(
            before.title, before.records, error.offset,
            error.message + (f" (hint: {error.hint})" if error.hint else ""))
        if failed + 1 >= len(columns):
            columns.append(StageView(f"{error.module} (failed)", []))
    return columns


def render_column(view: StageView) -> Text:
    text = Text()
    for record in view.records:
        failed = view.error_offset is not None and record.offset == view.error_offset
        style = "bold white on red" if failed else ""
        text.append(f"{record.offset:>3} ", "red" if failed else "cyan")
        if record.key is not None:
            text.append(record.key.decode("utf-8", "replace") + " => ", "magenta")
        text.append(record.value.decode("utf-8", "replace"), style)
        if failed:
            text.append("  ◀ failed here", "bold red")
        text.append("\n")
    if not view.records:
        text.append("(no records)\n", "dim")
    return text


class Playground(ReportsWorkerErrors, Vertical):
    BINDINGS = [
        Binding("ctrl+g", "rerun", "Run", id="playground.run",
                tooltip="Run the samples through the chain now"),
        Binding("ctrl+t", "capture", "Capture from topic", id="playground.capture",
                tooltip="Use a topic's latest records as samples"),
    ]

    DEFAULT_CSS = """
    Playground { height: 1fr; }
    Playground #pg-inputs { height: 10; }
    Playground #pg-inputs > Vertical { width: 1fr; }
    Playground TextArea { height: 1fr; }
    Playground #pg-columns { height: 1fr; }
    Playground .pg-column { width: 1fr; min-width: 26; border-right: vkey $foreground 20%; }
    Playground .pg-column Static { width: auto; }
    Playground #pg-timing { height: 8; }
    Playground #pg-status {
        width: 1fr; height: auto; max-height: 3; padding: 0 1; background: $boost;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._timer: Timer | None = None
        self.columns: list[StageView] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="pg-inputs"):
            with Vertical():
                yield Label("Chain (transforms YAML)", classes="section-title")
                yield TextArea("", language="yaml", id="pg-chain", show_line_numbers=False)
            with Vertical():
                yield Label("Samples (one record a line; `key => value`)",
                            classes="section-title")
                yield TextArea("", id="pg-samples", show_line_numbers=True)
        yield Label("", id="pg-status")
        yield BarChart(id="pg-timing")
        yield HorizontalScroll(id="pg-columns")

    def focus_default(self) -> None:
        self.query_one("#pg-chain", TextArea).focus()

    def set_chain(self, text: str) -> None:
        self.query_one("#pg-chain", TextArea).load_text(text)
        self.rerun_soon()

    def set_samples(self, text: str) -> None:
        self.query_one("#pg-samples", TextArea).load_text(text)
        self.rerun_soon()

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        self.rerun_soon()

    def rerun_soon(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.4, self.action_rerun)

    def action_rerun(self) -> None:
        chain = self.query_one("#pg-chain", TextArea).text
        samples = self.query_one("#pg-samples", TextArea).text
        self._run(chain, samples)

    @work(exclusive=True, group="playground", exit_on_error=False)
    async def _run(self, chain: str, samples: str) -> None:
        status = self.query_one("#pg-status", Label)
        status.update(Text("running…", "dim"))
        try:
            columns = await asyncio.to_thread(run_chain, chain, samples)
        except WeirError as exc:
            status.update(Text(exc.message + (f" (hint: {exc.hint})" if exc.hint else ""),
                               "bold red"))
            return
        self.show_columns(columns)

    def show_columns(self, columns: list[StageView]) -> None:
        self.columns = columns
        box = self.query_one("#pg-columns", HorizontalScroll)
        box.remove_children()
        for index, view in enumerate(columns):
            title = f"{index}. {view.title}" if index else "input"
            box.mount(Vertical(
                Label(f"{title} · {len(view.records)}", classes="section-title"),
                VerticalScroll(Static(render_column(view))),
                classes="pg-column",
            ))
        timed = [(f"{i}. {v.title}", v.us_per_record) for i, v in enumerate(columns)
                 if v.us_per_record is not None]
        chart = self.query_one("#pg-timing", BarChart)
        chart.display = bool(timed)
        chart.show("µs per record, by stage", [t for t, _ in timed], [v for _, v in timed])
        errors = [v for v in columns if v.error]
        status = self.query_one("#pg-status", Label)
        if errors:
            status.update(Text(f"✖ {errors[0].error}", "bold red"))
        else:
            final = columns[-1]
            status.update(Text(f"✔ {plural(len(columns) - 1, 'stage')}, "
                               f"{len(columns[0].records)} in, {len(final.records)} out",
                               "green"))

    def action_capture(self) -> None:
        from tui.components.common.modals import PromptScreen

        self.app.push_screen(PromptScreen("Capture the latest records of topic", "",
                                          placeholder="topic name"), self._capture)

    def _capture(self, topic: str | None) -> None:
        if topic:
            self._capture_from(topic)

    @work(thread=True, exclusive=True, group="capture", exit_on_error=False)
    def _capture_from(self, topic: str, count: int = 20) -> None:
        from runtime.topics import open_store

        store = open_store()
        try:
            info = store.describe_topic(topic)
            records: list[Record] = []
            for part in info.partitions:
                start = max(part.earliest, part.latest - count)
                records.extend(store.read(topic, part.partition, start, count))
        finally:
            store.close()
        records.sort(key=lambda r: r.timestamp)
        lines = []
        for record in records[-count:]:
            value = record.value.decode("utf-8", "replace").replace("\n", " ")
            if record.key is not None:
                value = record.key.decode("utf-8", "replace") + " => " + value
            lines.append(value)
        self.app.call_from_thread(self.set_samples, "\n".join(lines))
        self.app.call_from_thread(self.notify, f"{len(lines)} records from {topic}",
                                  title="Capture")
