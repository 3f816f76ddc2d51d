"""`weir logs`: every connector's log lines and lifecycle events on one timeline, the
workbench's Logs area headless (both read runtime.connectors.timeline)."""

from __future__ import annotations

import json
import time

import click

from tui.cli.completion import complete_connectors
from tui.cli.output import remember_json
from tui.cli.params import Duration

POLL_S = 0.25


@click.command()
@click.option("-f", "--follow", is_flag=True, help="Keep printing new entries (Ctrl-C stops).")
@click.option("--since", "since_ms", metavar="DURATION", type=Duration(example="10m or 2h"),
              help="Only entries from the last DURATION (e.g. 10m, 2h).")
@click.option("--events", "events_only", is_flag=True,
              help="Only lifecycle events (start, stop, crash, restart, error...).")
@click.option("--connector", "-c", "names", multiple=True, metavar="NAME",
              shell_complete=complete_connectors,
              help="Only this connector (repeatable). Default: every connector.")
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, is_eager=True, callback=remember_json,
              help="text: one line per entry; json: one object per line.")
def logs(follow: bool, since_ms: int | None, events_only: bool, names: tuple[str, ...],
         output: str) -> None:
    """Connector logs and events merged by time, oldest first, as the Logs area shows them.

    \b
    weir logs --since 1h --events
    weir logs -f --connector cat-facts --connector facts-sink
    """
    from runtime.connectors.timeline import TimelineReader
    from runtime.errors import NotFound

    reader = TimelineReader(names=set(names) if names else None, tail_bytes=None)
    known = reader.connectors()
    missing = [n for n in names if n not in known]
    if missing and not follow:
        raise NotFound(
            f"no logs of connector `{missing[0]}`",
            hint=("connectors with logs: " + ", ".join(known)) if known
            else "no connector has run yet")
    cutoff = None if since_ms is None else int(time.time() * 1000) - since_ms
    render = _json_line if output == "json" else _text_line

    def show() -> None:
        lines = [render(e) for e in reader.poll()
                 if (not events_only or e.kind == "event") and (cutoff is None or e.ts >= cutoff)]
        if lines:
            click.echo("\n".join(lines))

    show()
    if not follow:
        return
    try:
        while True:
            time.sleep(POLL_S)
            show()
    except KeyboardInterrupt:
        pass  # Ctrl-C: the way to stop following


def _json_line(entry) -> str:
    from runtime.topics.format import iso_time

    return json.dumps({"ts": entry.ts, "time": iso_time(entry.ts), "connector": entry.connector,
                       "kind": entry.kind, "level": entry.level, "message": entry.message,
                       "topic": entry.topic, "offset": entry.offset}, ensure_ascii=False)


def _text_line(entry) -> str:
    from runtime.connectors.timeline import format_ts

    stamp = format_ts(entry.ts, date=True)
    if entry.kind == "event":
        where = "" if entry.offset is None else f"  (offset {entry.offset})"
        return f"{stamp}  {entry.connector:<16} * {entry.level.upper():<7} {entry.message}{where}"
    return f"{stamp}  {entry.connector:<16}   {entry.level.upper():<7} {entry.message}"
