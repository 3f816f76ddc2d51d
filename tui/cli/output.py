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
ACTION_FORMATS = ("text", "json")

# Set as soon as a command's -O json / --json is seen (those options are eager), so that
# an error raised while the rest is parsed or run is printed as JSON too.
_json_errors = False


def remember_json(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Callback of every -O/--json option: errors become JSON when JSON was asked for."""
    global _json_errors
    if value == "json" or value is True:
        _json_errors = True
    return value


def forget_json_request() -> None:
    """A new command line starts (tests run several in one process)."""
    global _json_errors
    _json_errors = False


def json_errors_wanted(argv: Sequence[str]) -> bool:
    """Whether errors go out as JSON: a -O json/--json option was processed, or (for an
    error click raised before processing any option) the command line asks for it."""
    if _json_errors:
        return True
    args = list(argv)
    if "--" in args:
        args = args[:args.index("--")]
    following = [*args[1:], ""]
    return any(a in ("--json", "-Ojson", "--output=json")
               or (a in ("-O", "--output") and following[i] == "json")
               for i, a in enumerate(args))


def output_option(func):
    """`-O table|json` on every list command, as in fluvio; `--json` too, as the commands
    without tables (validate, smartmodule test) spell it."""
    func = click.option("--json", "output", flag_value="json", is_eager=True,
                        callback=remember_json, help="Same as -O json.")(func)
    return click.option(
        "-O",
        "--output",
        "output",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        is_eager=True,
        callback=remember_json,
        help="Output format.",
    )(func)


def action_output_option(func=None, *, long: bool = True):
    """`-O text|json` on every command that acts: json prints one object saying what it
    did (see README, "JSON output"). `long=False` where `--output` names a file."""
    def decorate(f):
        f = click.option("--json", "output", flag_value="json", is_eager=True,
                         callback=remember_json, help="Same as -O json.")(f)
        names = ("-O", "--output") if long else ("-O",)
        return click.option(*names, "output", type=click.Choice(ACTION_FORMATS),
                            default="text", show_default=True, is_eager=True,
                            callback=remember_json,
                            help="text: a line on stderr; json: one JSON object on stdout.")(f)
    return decorate if func is None else decorate(func)


def print_error_json(code: str, message: str, hint: str | None) -> None:
    """An error as the one JSON object a -O json caller parses, on stdout."""
    click.echo(json.dumps({"error": {"code": code, "message": message, "hint": hint}}))


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
