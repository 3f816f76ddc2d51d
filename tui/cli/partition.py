"""`weir partition list`: every partition of every topic, as `fluvio partition list`."""

from __future__ import annotations

import click

from tui.cli.completion import complete_topics
from tui.cli.output import info, output_option, print_json, print_table


@click.group()
def partition() -> None:
    """List topic partitions with their offsets and sizes."""


@partition.command("list")
@click.option("-t", "--topic", "topics", multiple=True, shell_complete=complete_topics,
              help="Only this topic (repeatable).")
@output_option
def list_(topics: tuple[str, ...], output: str) -> None:
    """Partitions: earliest offset, high watermark, records and size."""
    from runtime.topics import open_store

    store = open_store()
    try:
        infos = ([store.describe_topic(t) for t in topics] if topics
                 else store.list_topics())
    finally:
        store.close()
    rows = [{"topic": t.spec.name, "partition": p.partition, "earliest": p.earliest,
             "high_watermark": p.latest, "records": p.latest - p.earliest,
             "size_bytes": p.size_bytes} for t in infos for p in t.partitions]
    if output == "json":
        print_json(rows)
        return
    if not rows:
        info("no partitions: no topics")
        return
    from runtime.human import human_size

    print_table(["TOPIC", "PARTITION", "EARLIEST", "HW", "RECORDS", "SIZE"],
                [(r["topic"], r["partition"], r["earliest"], r["high_watermark"],
                  r["records"], human_size(r["size_bytes"])) for r in rows])
