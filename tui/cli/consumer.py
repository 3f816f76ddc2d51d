"""`weir consumer list|delete`: named consumers' committed offsets, as `fluvio consumer`.

`weir consume -c ID` and sink connectors (their `consumer.id`, else the connector's name)
commit here; deleting an offset makes the consumer start over where it is told to.
"""

from __future__ import annotations

import time

import click

from tui.cli.completion import complete_consumers, complete_topics
from tui.cli.output import info, output_option, print_json, print_table


@click.group()
def consumer() -> None:
    """List and delete named consumers' offsets (`consume -c`, sink connectors)."""


def _ago(ms: int, now_ms: int) -> str:
    seconds = max(0, (now_ms - ms) // 1000)
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _rows(store) -> list[dict]:
    from runtime.topics.lag import consumer_lags

    return [{
        "consumer": c.consumer, "topic": c.topic, "partition": c.partition,
        # Fluvio's offset: the last record handled; the one to resume at is the next
        "offset": c.next_offset - 1 if c.next_offset > 0 else None,
        "next_offset": c.next_offset,
        "lag": c.lag,
        "modified_ms": c.modified_ms,
        "modified": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(c.modified_ms / 1000)),
    } for c in consumer_lags(store)]


@consumer.command("list")
@output_option
def list_(output: str) -> None:
    """Consumers with their committed offset and lag per topic partition."""
    from runtime.topics import open_store

    store = open_store()
    try:
        rows = _rows(store)
    finally:
        store.close()
    if output == "json":
        print_json(rows)
        return
    if not rows:
        info("no consumers")
        return
    now = int(time.time() * 1000)
    print_table(
        ["CONSUMER", "TOPIC", "PARTITION", "OFFSET", "LAG", "LAST SEEN"],
        [(r["consumer"], r["topic"], r["partition"],
          "-" if r["offset"] is None else r["offset"], r["lag"],
          _ago(r["modified_ms"], now)) for r in rows],
    )


@consumer.command("delete")
@click.argument("consumer_id", metavar="ID", shell_complete=complete_consumers)
@click.option("-t", "--topic", help="Only its offsets in this topic.",
              shell_complete=complete_topics)
@click.option("-p", "--partition", type=click.IntRange(min=0),
              help="Only this partition (needs --topic).")
@output_option
def delete(consumer_id: str, topic: str | None, partition: int | None, output: str) -> None:
    """Delete consumer ID's offsets: it then starts where its next run is told to."""
    from runtime.errors import NotFound
    from runtime.topics import open_store

    if partition is not None and topic is None:
        raise click.UsageError("--partition needs --topic")
    store = open_store()
    try:
        if topic is not None and partition is not None:
            targets = [(topic, partition)]
        else:
            targets = [(o.topic, o.partition) for o in store.list_offsets()
                       if o.consumer == consumer_id and topic in (None, o.topic)]
        deleted = [(t, p) for t, p in targets if store.delete_offset(consumer_id, t, p)]
    finally:
        store.close()
    if not deleted:
        where = "" if topic is None else f" on topic `{topic}`" + (
            "" if partition is None else f" partition {partition}")
        raise NotFound(f"consumer `{consumer_id}` has no offsets{where}",
                       hint="`weir consumer list` shows the consumers there are")
    if output == "json":
        print_json({"command": "consumer delete", "consumer": consumer_id, "deleted": [
            {"topic": t, "partition": p} for t, p in deleted]})
        return
    for t, p in deleted:
        info(f'consumer "{consumer_id}" on topic "{t}" partition {p} deleted')
