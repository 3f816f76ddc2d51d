"""`weir produce TOPIC`: lines from stdin or a file become records, as `fluvio produce`."""

from __future__ import annotations

import os

import click

from runtime.human import plural
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.producer_settings import COMPRESSIONS, DELIVERY_SEMANTICS
from tui.cli.completion import complete_topics
from tui.cli.output import action_output_option
from tui.cli.params import ByteSize, Duration
from tui.cli.smartmodule_options import chain_choice, smartmodule_options, topic_lookback


@click.command()
@click.argument("topic", shell_complete=complete_topics)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, path_type=str),
              help="Read records from FILE instead of stdin.")
@click.option("--key-separator", metavar="SEP",
              help="Split each line at the first SEP into key and value.")
@click.option("--key", metavar="KEY", help="Give every record this key.")
@click.option("--raw", is_flag=True, help="Send the whole input as one record.")
@click.option("-p", "--partition", type=click.IntRange(min=0),
              help="Partition to produce to (default: by key hash, else round-robin).")
@click.option("--linger", "linger_ms", metavar="DURATION", type=Duration(positive=False,
              example="100ms or 2s"),
              help="Wait this long after a batch's first record for more before sending "
              "(e.g. 100ms). Default: send when the input pauses.")
@click.option("--batch-size", "batch_bytes", metavar="SIZE", type=ByteSize(example="16KB"),
              help="Send a batch once it holds this much (e.g. 16KB, 1MB). Default: 1000 "
              "records.")
@click.option("--compression", type=click.Choice(COMPRESSIONS), default="none",
              show_default=True,
              help="Compress batches on the wire (a fluvio profile); the embedded store "
              "keeps values uncompressed.")
@click.option("--delivery-semantic", type=click.Choice(DELIVERY_SEMANTICS),
              default="at-least-once", show_default=True,
              help="at-least-once: each batch acknowledged once durable (fsynced); "
              "at-most-once: no wait for the disk (fluvio: no retries).")
@click.option("--max-record-size", "max_record_bytes", metavar="SIZE",
              type=ByteSize(example="32MiB or 100MB"), default=str(MAX_RECORD_BYTES),
              help="Refuse a record (key and value) larger than this, before reading it "
              "whole. Default: 32MiB, what connectors and the Fluvio endpoint take.")
@click.option("-v", "--verbose", is_flag=True, help="Report each batch's offsets on stderr.")
@action_output_option
@smartmodule_options
def produce(topic: str, file: str | None, key_separator: str | None, key: str | None,
            raw: bool, partition: int | None, linger_ms: int | None, batch_bytes: int | None,
            compression: str, delivery_semantic: str, max_record_bytes: int, verbose: bool,
            output: str, **sm) -> None:
    """Produce records to TOPIC: one per line of stdin (or -f FILE).

    With --smartmodule, --smartmodule-path or --transforms-file each batch passes through
    the SmartModule chain before it is stored; on a SmartModule error the records before
    the failing one are stored and the command exits 1.
    """
    from runtime.errors import EnvironmentProblem, WeirError
    from runtime.topics import open_store
    from runtime.topics.produce import produce_fd
    from runtime.topics.producer_settings import ProducerSettings
    from tui.cli.output import info, print_json

    if raw and key_separator is not None:
        raise click.UsageError("--raw and --key-separator cannot be used together")
    if key is not None and key_separator is not None:
        raise click.UsageError("--key and --key-separator cannot be used together: one key "
                               "for every record, or one per line")
    settings = ProducerSettings(linger_ms, batch_bytes, compression, delivery_semantic)
    choice = chain_choice(**sm)

    spans: dict[int, list[int]] = {}  # partition: [first, last, records], for -O json

    def report(offsets: list[tuple[int, int]]) -> None:
        by_partition: dict[int, list[int]] = {}
        for p, o in offsets:
            by_partition.setdefault(p, []).append(o)
        for p, offs in sorted(by_partition.items()):
            span = spans.setdefault(p, [offs[0], offs[-1], 0])
            span[1], span[2] = offs[-1], span[2] + len(offs)
            if not verbose:
                continue
            span = f"{offs[0]}" if len(offs) == 1 else f"{offs[0]}..{offs[-1]}"
            info(f"[{topic}/{p}] {plural(len(offs), 'record')} "
                 f"at offset {span}")

    fd = 0
    if file is not None:
        try:
            fd = os.open(file, os.O_RDONLY)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot read {file}: {exc.strerror}") from exc
    store = open_store(producer=settings)
    chain = None
    try:
        transform = None
        if choice.wanted:
            store.describe_topic(topic)  # a missing topic is reported before the chain builds
            chain = choice.build(lookback=topic_lookback(topic, partition))
            transform = produce_transform(chain, store, topic, partition)
        summary = produce_fd(
            store, topic, fd, key_separator=key_separator, raw=raw, partition=partition,
            key=None if key is None else key.encode(), linger_ms=linger_ms,
            batch_bytes=batch_bytes,
            source=file or "stdin", transform=transform,
            on_batch=report if verbose or output == "json" else None,
            max_record_bytes=max_record_bytes,
        )
    except OSError as exc:
        raise WeirError(f"cannot read {file or 'stdin'}: {exc.strerror or exc}") from exc
    finally:
        if chain is not None:
            chain.close()
        store.close()
        if file is not None:
            os.close(fd)
    embedded = getattr(store, "producer_settings", None) is None
    if output == "json":
        print_json({
            "command": "produce", "topic": topic, "records": summary.records,
            "batches": summary.batches,
            "partitions": [{"partition": p, "first_offset": first, "last_offset": last,
                            "records": n} for p, (first, last, n) in sorted(spans.items())],
            "compression": compression, "compressed": compression != "none" and not embedded,
            "delivery_semantic": delivery_semantic,
        })
    if verbose:
        info(f"produced {plural(summary.records, 'record')} in "
             f"{plural(summary.batches, 'batch')} to `{topic}`")
        if compression != "none" and embedded:
            info(f"(--compression {compression} applies on the wire to a fluvio profile; "
                 "the embedded store keeps values uncompressed)")


def produce_transform(chain, store, topic: str, partition: int | None):
    """ProduceRecords through the chain. On a SmartModule error the records before the
    failing one are stored, then the error ends the run."""
    import time

    from runtime.topics.columns import RecordColumns
    from runtime.topics.record import ProduceRecord

    def transform(batch: list[ProduceRecord]) -> list[ProduceRecord]:
        columns = RecordColumns.from_produce_records(batch, 0, int(time.time() * 1000))
        result = chain.process(columns, base_offset=0)
        out = result.columns.produce_records()
        if result.error is not None:
            if out:
                store.append(topic, out, partition)
            result.error.hint = (f"{result.error.hint or ''} ({plural(len(out), 'record')} of this "
                                 "batch before the failing one were produced)").strip()
            raise result.error
        return out

    return transform
