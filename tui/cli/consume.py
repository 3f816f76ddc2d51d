"""`weir consume TOPIC`: print a topic's records, following it by default, as `fluvio consume`."""

from __future__ import annotations

import contextlib
import signal

import click

from tui.cli.completion import complete_topics
from tui.cli.output import remember_json
from tui.cli.smartmodule_options import chain_choice, smartmodule_options, topic_lookback

OUTPUTS = ("text", "json", "raw", "binary", "table")


@click.command()
@click.argument("topic", shell_complete=complete_topics)
@click.option("-B", "--beginning", is_flag=True, help="Start at the earliest record.")
@click.option("-T", "--tail", type=click.IntRange(min=0), metavar="N",
              help="Start N records before the end.")
@click.option("--start", "start_offset", type=click.IntRange(min=0), metavar="OFFSET",
              help="Start at this absolute offset.")
@click.option("-H", "--head", type=click.IntRange(min=1), metavar="N",
              help="Only the first N records of each partition (from the start, by default "
              "the beginning), then exit.")
@click.option("--end", "end_offset", type=click.IntRange(min=0), metavar="OFFSET",
              help="Stop after this offset (inclusive) in each partition.")
@click.option("-c", "--consumer", metavar="ID",
              help="Consume as the named consumer ID: resume after what it last printed, "
              "and commit what it prints (`weir consumer list` shows it).")
@click.option("-p", "--partition", type=click.IntRange(min=0), multiple=True,
              help="Read only this partition (repeat for several). Default: every partition.")
@click.option("-A", "--all-partitions", is_flag=True,
              help="Read every partition (the default).")
@click.option("-d", "--disable-continuous", is_flag=True,
              help="Exit once caught up instead of waiting for new records.")
@click.option("-k", "--key-value", is_flag=True, help="Print records as `[key] value`.")
@click.option("-F", "--format", "template", metavar="TEMPLATE",
              help="Print each record through a template: {{offset}} {{key}} {{value}} "
              "{{partition}} {{time}} {{timestamp}} {{topic}} {{headers}}.")
@click.option("-O", "--output", type=click.Choice(OUTPUTS), default="text", show_default=True,
              is_eager=True, callback=remember_json,
              help="text: one value per line; json: one object per line; raw: value bytes; "
              "binary: a hex dump per record; table: the JSON fields as a live table.")
@click.option("--truncate", is_flag=True,
              help="Cut each printed line to the terminal's width.")
@smartmodule_options
def consume(topic: str, beginning: bool, tail: int | None, start_offset: int | None,
            head: int | None, end_offset: int | None, consumer: str | None,
            partition: tuple[int, ...], all_partitions: bool, disable_continuous: bool,
            key_value: bool, template: str | None, output: str, truncate: bool,
            **sm) -> None:
    """Print records of TOPIC: by default new ones as they arrive (Ctrl-C to stop).

    With --smartmodule, --smartmodule-path, --transforms-file or --transforms-line the
    records pass through the SmartModule chain first; a SmartModule error prints the
    records before it and exits 1.
    """
    from runtime.topics.consume import Start

    choice = chain_choice(**sm)

    chosen = [flag for flag, on in (("-B", beginning), ("-T", tail is not None),
                                    ("--start", start_offset is not None)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be used together: pick one start")
    if end_offset is not None and start_offset is not None and end_offset < start_offset:
        raise click.UsageError(f"--end {end_offset} is before --start {start_offset}")
    if consumer is not None and not consumer.strip():
        raise click.UsageError("-c needs a consumer id, not an empty string")
    if partition and all_partitions:
        raise click.UsageError("-p and -A cannot be used together")
    if template is not None and output != "text":
        raise click.UsageError("-F and -O cannot be used together")
    if truncate and output != "text":
        raise click.UsageError(f"--truncate applies to text and -F output, not -O {output}"
                               + (" (the table fits its cells to the terminal already)"
                                  if output == "table" else ""))
    if beginning:
        start = Start("beginning")
    elif tail is not None:
        start = Start("tail", tail)
    elif start_offset is not None:
        start = Start("offset", start_offset)
    elif head is not None:
        start = Start("beginning")  # the first N
    else:
        start = Start("end")
    render = _renderer(output, template, topic, key_value=key_value, truncate=truncate)
    chain = choice.build(lookback=topic_lookback(topic, partition, all_partitions))
    try:
        with _printer(output, render, partition) as printer:
            run_consume(topic, start=start, partition=partition,
                        all_partitions=all_partitions, follow=not disable_continuous,
                        printer=printer, consumer=consumer, end=end_offset, head=head,
                        transform=None if chain is None else chain_transform(chain, printer))
    finally:
        if chain is not None:
            chain.close()


def _renderer(output: str, template: str | None, topic: str, *, key_value: bool,
              truncate: bool):
    """A record's printed bytes for -O text/json/raw/binary or -F (the table draws its own)."""
    import shutil

    from runtime.topics import format as fmt

    if template is not None:
        render = fmt.template_renderer(template, topic)
    elif output == "json":
        render = fmt.json_renderer(topic)
    elif output == "raw":
        render = fmt.raw_renderer()
    elif output == "binary":
        render = fmt.hex_dump_renderer()
    else:
        render = fmt.text_renderer(show_key=key_value)
    if truncate:
        render = fmt.truncating(render, shutil.get_terminal_size().columns)
    return render


@contextlib.contextmanager
def _printer(output: str, render, partition: tuple[int, ...]):
    """Where consumed records go: rendered bytes to stdout, or the live table."""
    if output == "table":
        from tui.cli.consume_table import LiveTable

        with LiveTable(show_partition=len(partition) != 1) as table:
            yield table
        return
    import sys

    out = sys.stdout.buffer

    def write(records) -> None:
        out.write(b"".join(map(render, records)))
        out.flush()

    yield write


def chain_transform(chain, printer):
    """Records through the chain; on a SmartModule error, print what came before, raise."""
    from tui.cli.output import until_reader_leaves

    def transform(records):
        result = chain.process(records)
        if result.error is not None:
            if result.records:
                with until_reader_leaves():  # the SmartModule error still exits 1
                    printer(result.records)
            raise result.error
        return result.records

    return transform


def run_consume(topic: str, *, start, partition: int | tuple[int, ...] | None,
                all_partitions: bool, follow: bool, printer, transform=None,
                consumer: str | None = None, end: int | None = None,
                head: int | None = None) -> None:
    """Stream records to `printer`. `transform` is where a SmartModule chain plugs in; a
    named `consumer` resumes at its committed offsets and commits what was printed."""
    import asyncio
    import os
    import sys

    from runtime.topics import open_store
    from runtime.topics.committer import OffsetCommitter
    from runtime.topics.consume import (
        end_offsets,
        follow_chunks,
        read_chunks,
        resolve_partitions,
        resume_offsets,
        start_offsets,
        stop_offsets,
    )

    store = open_store()
    committer = None
    try:
        partitions = resolve_partitions(store, topic, partition, all_partitions)
        offsets = start_offsets(store, topic, partitions, start)
        if consumer is not None:
            offsets = resume_offsets(store, consumer, topic, offsets)
            committer = OffsetCommitter(store, consumer, topic)
        caught_up = None if follow else end_offsets(store, topic, partitions)
        until = stop_offsets(offsets, end=end, head=head, caught_up=caught_up)

        def emit(chunk) -> None:
            if chunk.records:
                printer(chunk.records)
            if committer is not None:
                committer.advance(chunk.partition, chunk.next_offset)

        if committer is not None:
            emit = _uninterrupted(emit)

        if not follow:
            for chunk in read_chunks(store, topic, offsets, until, transform):
                emit(chunk)
            return

        async def pump() -> None:
            ticker = None if committer is None else asyncio.create_task(
                _commit_periodically(committer))
            try:
                async for chunk in follow_chunks(store, topic, offsets, transform, until):
                    emit(chunk)
            finally:
                if ticker is not None:
                    ticker.cancel()

        with _sigterm_as_interrupt():
            try:
                asyncio.run(pump())
            except KeyboardInterrupt:
                pass  # Ctrl-C: the way to stop following, not an error
    except BrokenPipeError:
        # `weir consume ... | head`: the reader left; stop quietly, without a flush error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        try:
            if committer is not None:
                committer.commit()  # at the end, after Ctrl-C, after a SmartModule error
        finally:
            store.close()


async def _commit_periodically(committer) -> None:
    """While following, pending positions reach the store even when no record comes."""
    import asyncio

    while True:
        await asyncio.sleep(committer.interval_s)
        committer.commit()


def _uninterrupted(emit):
    """A named consumer's print and position move as one: Ctrl-C or SIGTERM arriving
    between them would leave printed records uncommitted, so both wait until after."""
    stops = {signal.SIGINT, signal.SIGTERM}

    def guarded(chunk) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            emit(chunk)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)

    return guarded


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops a follower the way Ctrl-C does, so its offsets are committed."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
