"""Small helpers every command shares: data to stdout, messages to stderr, tables and JSON."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import click

OUTPUT_FORMATS = ("table", "json")


def output_option(func):
    """`-O table|json` on every list command, as in fluvio; `--json` too, as the commands
    without tables (validate, smartmodule test) spell it."""
    func = click.option("--json", "output", flag_value="json", help="Same as -O json.")(func)
    return click.option(
        "-O",
        "--output",
        "output",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def print_json(data: Any) -> None:
    """Exactly one JSON document on stdout."""
    click.echo(json.dumps(data, indent=2, default=str))


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A plain aligned table like fluvio's lists, no colours, so it pipes cleanly."""
    rows = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    click.echo(" " + line.rstrip())
    for row in rows:
        click.echo(" " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def info(message: str) -> None:
    """A message for the person at the terminal: stderr, never mixed with data."""
    click.echo(message, err=True)


def reader_left() -> None:
    """stdout's reader went away (`weir ... | head`): not an error of ours. Point stdout at
    /dev/null so that nothing, not even the last flush, complains about it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@contextlib.contextmanager
def until_reader_leaves() -> Iterator[None]:
    """Print a report whose outcome is already decided: when the reader leaves (EPIPE),
    stop printing quietly and carry on, so the command still ends with its own exit code
    (`weir validate bad.yaml | head -1` exits 1, not 0)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        reader_left()
