"""How a consumed record is written out: text, a `-F` template, JSON lines or raw bytes.

Everything renders to bytes, so values that are not UTF-8 pass through text output
untouched; JSON carries them as base64 with a `value_encoding` (or `key_encoding`) marker.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from runtime.errors import WeirError
from runtime.topics.record import Record

Renderer = Callable[[Record], bytes]

FIELDS = ("offset", "key", "value", "partition", "time", "timestamp", "topic", "headers")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_]+)\s*\}\}")


def iso_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


def text_renderer(*, show_key: bool = False) -> Renderer:
    """The value on its own line; with `show_key`, `[key] value` (`[null]` without key)."""
    if not show_key:
        return lambda r: r.value + b"\n"
    return lambda r: b"[" + (b"null" if r.key is None else r.key) + b"] " + r.value + b"\n"


def raw_renderer() -> Renderer:
    """The value's bytes exactly, nothing added (for binary payloads)."""
    return lambda r: r.value


def template_renderer(template: str, topic: str) -> Renderer:
    """`-F '{{offset}} {{key}} {{value}}'`: placeholders replaced, one line per record."""
    parts: list[bytes | str] = []
    pos = 0

    def literal(end: int) -> bytes:
        text = template[pos:end]
        if "{{" in text:
            raise WeirError(f"unclosed `{{{{` in the format at column {pos + text.index('{{') + 1}",
                            hint="write placeholders as {{value}}, {{key}}, {{offset}}...")
        return text.encode()

    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1).lower()
        if name not in FIELDS:
            raise WeirError(
                f"unknown placeholder {{{{{match.group(1)}}}}} in the format at column "
                f"{match.start() + 1}",
                hint="known placeholders: " + ", ".join(f"{{{{{f}}}}}" for f in FIELDS),
            )
        parts.append(literal(match.start()))
        parts.append(name)
        pos = match.end()
    parts.append(literal(len(template)))
    topic_bytes = topic.encode()

    def field(record: Record, name: str) -> bytes:
        if name == "value":
            return record.value
        if name == "key":
            return b"null" if record.key is None else record.key
        if name == "offset":
            return str(record.offset).encode()
        if name == "partition":
            return str(record.partition).encode()
        if name == "time":
            return iso_time(record.timestamp).encode()
        if name == "timestamp":
            return str(record.timestamp).encode()
        if name == "topic":
            return topic_bytes
        return b",".join(n.encode() + b"=" + v for n, v in record.headers)

    def render(record: Record) -> bytes:
        return b"".join(p if isinstance(p, bytes) else field(record, p) for p in parts) + b"\n"

    return render


def _text_or_base64(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), True


def record_json(record: Record, topic: str) -> dict:
    """The JSON shape of a record, as `weir consume -O json` prints it."""
    doc: dict = {
        "topic": topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
        "key": None,
        "value": None,
    }
    if record.key is not None:
        doc["key"], encoded = _text_or_base64(record.key)
        if encoded:
            doc["key_encoding"] = "base64"
    doc["value"], encoded = _text_or_base64(record.value)
    if encoded:
        doc["value_encoding"] = "base64"
    if record.headers:
        doc["headers"] = [[name, _text_or_base64(value)[0]] for name, value in record.headers]
    return doc


def json_renderer(topic: str) -> Renderer:
    return lambda r: json.dumps(record_json(r, topic), ensure_ascii=False).encode() + b"\n"


def hex_dump_renderer() -> Renderer:
    """`-O binary`, as Fluvio prints it: each record as a hex dump, 16 bytes a row with
    their offset and the printable ones beside, then a blank line."""

    def render(record: Record) -> bytes:
        data = record.value
        rows = []
        for start in range(0, len(data), 16):
            chunk = data[start:start + 16]
            left = " ".join(f"{b:02x}" for b in chunk[:8])
            right = " ".join(f"{b:02x}" for b in chunk[8:])
            shown = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            rows.append(f"{start:08x}  {left:<23}  {right:<23}  |{shown:<16}|\n")
        return "".join(rows).encode() + b"\n"

    return render


def truncating(render: Renderer, width: int) -> Renderer:
    """`--truncate`: each printed line cut to `width` characters (the terminal's)."""

    def cut(record: Record) -> bytes:
        out = render(record)
        lines = out.split(b"\n")
        kept = []
        for line in lines:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                kept.append(line[:width])
            else:
                kept.append(text[:width].encode() if len(text) > width else line)
        return b"\n".join(kept)

    return cut
