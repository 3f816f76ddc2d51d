"""The live tail: a line-API widget drawing only visible rows from a bounded buffer.

Records live in a deque outside the widget (bounded by `max_lines`); a filter keeps a list
of matching indices. Rendering a frame costs the visible rows, whatever the history size.
While the user is scrolled up the view stays put and a "+N new" count grows.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from runtime.topics.record import Record

HEADER = f"{'OFFSET':>9} {'P':>2} {'KEY':<12} {'TIME':<12} VALUE"


def _text(data: bytes | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace").replace("\n", "⏎").replace("\t", " ")


def record_json(record: Record) -> str:
    """A record for the detail view: JSON values pretty-printed, others as text."""
    text = record.value.decode("utf-8", "replace")
    try:
        value = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        value = text
    moment = datetime.fromtimestamp(record.timestamp / 1000).astimezone().isoformat(
        timespec="milliseconds")
    head = [f"partition {record.partition}  offset {record.offset}  time {moment}",
            f"key: {_text(record.key) if record.key is not None else '(none)'}"]
    head += [f"header {k}: {v.decode('utf-8', 'replace')}" for k, v in record.headers]
    return "\n".join(head) + "\n\n" + value


class TailView(ScrollView, can_focus=True):
    """Rows: offset, partition, key, time, value. Follows the end unless scrolled up."""

    DEFAULT_CSS = """
    TailView { background: $surface; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-20)", "Page up", show=False),
        Binding("pagedown", "cursor(20)", "Page down", show=False),
        Binding("home", "top", "Oldest", show=False, id="tail.top"),
        Binding("end", "follow", "Follow", id="tail.follow",
                tooltip="Jump to the newest record and keep following"),
        Binding("enter", "inspect", "Inspect", id="tail.inspect",
                tooltip="Show the record, JSON pretty-printed"),
        Binding("t", "toggle_dates", "Dates", id="tail.dates", show=False),
    ]

    following: reactive[bool] = reactive(True)
    new_count: reactive[int] = reactive(0)

    class Inspect(Message):
        def __init__(self, record: Record) -> None:
            super().__init__()
            self.record = record

    class FollowChanged(Message):
        def __init__(self, following: bool, new_count: int) -> None:
            super().__init__()
            self.following = following
            self.new_count = new_count

    def __init__(self, max_lines: int = 10_000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.records: deque[Record] = deque(maxlen=max_lines)
        self.dropped = 0  # records pushed out of the bounded history
        self.total = 0  # records received since the tail started
        self.needle: bytes = b""
        self._view: list[int] | None = None  # indices into self.records when filtering
        self._base = 0  # absolute index of self.records[0], to keep indices stable
        self.cursor = -1  # row in the view, -1: none
        self.show_dates = False

    # -- data -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.records) if self._view is None else len(self._view)

    def _row(self, row: int) -> Record | None:
        if self._view is None:
            return self.records[row] if 0 <= row < len(self.records) else None
        if not 0 <= row < len(self._view):
            return None
        index = self._view[row] - self._base
        return self.records[index] if 0 <= index < len(self.records) else None

    def _matches(self, record: Record) -> bool:
        needle = self.needle
        return (needle in record.value.lower()
                or (record.key is not None and needle in record.key.lower())
                or needle in str(record.offset).encode())

    def clear(self) -> None:
        self.records.clear()
        self._view = None if not self.needle else []
        self._base = 0
        self.dropped = self.total = 0
        self.cursor = -1
        self.new_count = 0
        self.following = True
        self._resize()

    def add(self, batch: Iterable[Record]) -> None:
        """Append a batch (one flush of the stream); one refresh, however many records."""
        batch = list(batch)
        if not batch:
            return
        before = self.row_count
        maxlen = self.records.maxlen or 0
        overflow = max(0, len(self.records) + len(batch) - maxlen) if maxlen else 0
        start = self._base + len(self.records)
        self.records.extend(batch)
        self.total += len(batch)
        if overflow:
            self._base += overflow
            self.dropped += overflow
        if self._view is not None:
            self._view.extend(start + i for i, r in enumerate(batch) if self._matches(r))
            if overflow:
                cut = 0
                while cut < len(self._view) and self._view[cut] < self._base:
                    cut += 1
                del self._view[:cut]
        added = self.row_count - before + (overflow if self._view is None else 0)
        if not self.following:
            self.new_count += max(0, added)
            if self._view is None and overflow:
                self.cursor = max(-1, self.cursor - overflow)
                self.scroll_to(y=max(0, self.scroll_offset.y - overflow), animate=False)
        self._resize()
        if self.following:
            self.cursor = self.row_count - 1
            self._stick_to_end()
            self.call_after_refresh(self._stick_to_end)
        self.refresh()

    def _stick_to_end(self) -> None:
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def set_filter(self, text: str) -> None:
        self.needle = text.lower().encode()
        if not self.needle:
            self._view = None
        else:
            self._view = [self._base + i for i, r in enumerate(self.records) if self._matches(r)]
        self.cursor = self.row_count - 1
        self._resize()
        self.scroll_end(animate=False, immediate=True)
        self.refresh()

    def visible_records(self) -> list[Record]:
        """The rows as shown (after the filter), oldest first: for tests and captures."""
        return [r for r in (self._row(i) for i in range(self.row_count)) if r is not None]

    def _resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.row_count)

    # -- follow state -----------------------------------------------------------------

    def watch_following(self, following: bool) -> None:
        if following:
            self.new_count = 0
        self.post_message(self.FollowChanged(following, self.new_count))

    def watch_new_count(self, count: int) -> None:
        self.post_message(self.FollowChanged(self.following, count))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        at_end = new >= self.max_scroll_y
        if new < old and not at_end:
            self.following = False
        elif at_end and not self.following and self.cursor >= self.row_count - 1:
            self.following = True

    # -- actions ----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if not self.row_count:
            return
        self.cursor = max(0, min(self.row_count - 1, (self.cursor if self.cursor >= 0
                                                      else self.row_count - 1) + step))
        if self.cursor < self.row_count - 1:
            self.following = False
        self.scroll_to_region_row(self.cursor)
        self.refresh()

    def scroll_to_region_row(self, row: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_top(self) -> None:
        self.following = False
        self.cursor = 0
        self.scroll_home(animate=False, immediate=True)
        self.refresh()

    def action_follow(self) -> None:
        self.following = True
        self.cursor = self.row_count - 1
        self.scroll_end(animate=False, immediate=True)
        self.refresh()

    def action_inspect(self) -> None:
        record = self._row(self.cursor)
        if record is not None:
            self.post_message(self.Inspect(record))

    def action_toggle_dates(self) -> None:
        self.show_dates = not self.show_dates
        self.refresh()

    # -- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        record = self._row(row)
        if record is None:
            return Strip.blank(width, self.rich_style)
        moment = datetime.fromtimestamp(record.timestamp / 1000)
        when = moment.strftime("%m-%d %H:%M:%S" if self.show_dates else "%H:%M:%S.")
        if not self.show_dates:
            when += f"{record.timestamp % 1000:03d}"
        key = _text(record.key) if record.key is not None else "-"
        if len(key) > 12:
            key = key[:11] + "…"
        selected = row == self.cursor and self.has_focus
        base = self.rich_style
        if selected:
            base = base + Style(reverse=True)
        segments = [
            Segment(f"{record.offset:>9} ", base + Style(color="cyan")),
            Segment(f"{record.partition:>2} ", base + Style(dim=True)),
            Segment(f"{key:<12} ", base + Style(color="magenta")),
            Segment(f"{when:<12} ", base + Style(dim=True)),
            Segment(_text(record.value)[: 4096], base),
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base)
