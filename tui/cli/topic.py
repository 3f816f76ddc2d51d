"""`weir topic create|list|describe|delete`: the shapes of `fluvio topic`."""

from __future__ import annotations

import click

from runtime.human import human_size
from tui.cli.completion import complete_topics
from tui.cli.output import action_output_option, info, output_option, print_json, print_table
from tui.cli.params import ByteSize, Count, Duration


@click.group()
def topic() -> None:
    """Create, list, describe and delete topics."""


def _human_ms(ms: int | None) -> str:
    if ms is None:
        return "unlimited"
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms >= size and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _topic_json(t) -> dict:
    return {
        "name": t.spec.name,
        "partitions": t.spec.partitions,
        "retention_ms": t.spec.retention_ms,
        "segment_bytes": t.spec.segment_bytes,
        "records": t.record_count,
        "size_bytes": sum(p.size_bytes for p in t.partitions),
        "partition_offsets": [
            {"partition": p.partition, "earliest": p.earliest, "latest": p.latest,
             "records": p.latest - p.earliest, "size_bytes": p.size_bytes}
            for p in t.partitions
        ],
    }


@topic.command("create")
@click.argument("name")
@click.option("-p", "--partitions", type=Count(1, 10_000, "partitions"), default=1,
              show_default=True, help="Number of partitions (1 to 10000).")
@click.option("--retention-time", "retention_ms", metavar="DURATION", type=Duration(),
              help="Drop records older than this (e.g. 7d, 12h, 30m). Default: keep.")
@click.option("--segment-size", "segment_bytes", metavar="SIZE", type=ByteSize(),
              help="Keep at most about this much per partition (e.g. 10MB). Default: no limit.")
@click.option("--dry-run", is_flag=True,
              help="Check everything and print what would be created; create nothing.")
@action_output_option
def create(name: str, partitions: int, retention_ms: int | None,
           segment_bytes: int | None, dry_run: bool, output: str) -> None:
    """Create topic NAME."""
    from runtime.topics import open_store
    from runtime.topics.store import TopicSpec

    spec = TopicSpec(name, partitions, retention_ms, segment_bytes)
    if dry_run:
        _dry_run(spec, output)
        return
    store = open_store()
    try:
        store.create_topic(spec)
        created = store.describe_topic(name) if output == "json" else None
    finally:
        store.close()
    if created is not None:
        print_json({"command": "topic create", "topic": _topic_json(created)})
        return
    info(f'topic "{name}" created')


def _dry_run(spec, output: str) -> None:
    """The checks `create` makes, the store's included (is the name free?), no write."""
    from runtime.errors import NotFound, WeirError
    from runtime.topics import open_store
    from runtime.topics.spec_check import check_spec

    check_spec(spec)
    store = open_store()
    try:
        store.describe_topic(spec.name)
    except NotFound:
        pass
    else:
        raise WeirError(f"topic `{spec.name}` already exists",
                        hint="pick another name, or `weir topic delete` it first")
    finally:
        store.close()
    if output == "json":
        print_json({"command": "topic create", "dry_run": True, "topic": {
            "name": spec.name, "partitions": spec.partitions,
            "retention_ms": spec.retention_ms, "segment_bytes": spec.segment_bytes}})
        return
    click.echo(f"Name:          {spec.name}")
    click.echo(f"Partitions:    {spec.partitions}")
    click.echo(f"Retention:     {_human_ms(spec.retention_ms)}")
    click.echo(f"Segment size:  {human_size(spec.segment_bytes)}")
    info(f'dry run: topic "{spec.name}" would be created (nothing was written)')


@topic.command("add-partition")
@click.argument("name", shell_complete=complete_topics)
@click.option("-c", "--count", type=Count(1, 10_000, "partitions"), default=1,
              show_default=True, help="How many partitions to add.")
@action_output_option
def add_partition(name: str, count: int, output: str) -> None:
    """Add partitions to topic NAME (numbered after its last one).

    Stored records stay where they are; keyed records hash over the new count from now on.
    """
    from runtime.topics import open_store

    store = open_store()
    try:
        before = len(store.describe_topic(name).partitions)
        after = store.add_partitions(name, count)
    finally:
        store.close()
    added = list(range(before, len(after.partitions)))
    if output == "json":
        print_json({"command": "topic add-partition", "added": added,
                    "topic": _topic_json(after)})
        return
    info(f'added partition{"s" if count != 1 else ""} {", ".join(map(str, added))} to topic '
         f'"{name}" ({len(after.partitions)} in all)')


@topic.command("list")
@output_option
def list_(output: str) -> None:
    """List topics with their partitions and sizes."""
    from runtime.topics import open_store

    store = open_store()
    try:
        topics = store.list_topics()
    finally:
        store.close()
    if output == "json":
        print_json([_topic_json(t) for t in topics])
        return
    if not topics:
        info("no topics")
        return
    print_table(
        ["NAME", "PARTITIONS", "RECORDS", "SIZE", "RETENTION", "SEGMENT SIZE"],
        [(t.spec.name, t.spec.partitions, t.record_count,
          human_size(sum(p.size_bytes for p in t.partitions)),
          _human_ms(t.spec.retention_ms), human_size(t.spec.segment_bytes)) for t in topics],
    )


@topic.command("describe")
@click.argument("name", shell_complete=complete_topics)
@output_option
def describe(name: str, output: str) -> None:
    """Show topic NAME: settings and, per partition, offsets and size."""
    from runtime.topics import open_store

    store = open_store()
    try:
        t = store.describe_topic(name)
    finally:
        store.close()
    if output == "json":
        print_json(_topic_json(t))
        return
    click.echo(f"Name:          {t.spec.name}")
    click.echo(f"Partitions:    {t.spec.partitions}")
    click.echo(f"Retention:     {_human_ms(t.spec.retention_ms)}")
    click.echo(f"Segment size:  {human_size(t.spec.segment_bytes)}")
    click.echo(f"Records:       {t.record_count}")
    click.echo("")
    print_table(
        ["PARTITION", "EARLIEST", "LATEST", "RECORDS", "SIZE"],
        [(p.partition, p.earliest, p.latest, p.latest - p.earliest, human_size(p.size_bytes))
         for p in t.partitions],
    )


@topic.command("delete")
@click.argument("names", nargs=-1, required=True, shell_complete=complete_topics)
@action_output_option
def delete(names: tuple[str, ...], output: str) -> None:
    """Delete topics and all their records."""
    from runtime.errors import WeirError
    from runtime.topics import open_store

    store = open_store()
    deleted: list[str] = []
    try:
        for name in names:
            store.delete_topic(name)
            deleted.append(name)
            if output != "json":
                info(f'topic "{name}" deleted')
    except WeirError as exc:
        if deleted:
            exc.hint = f"{exc.hint + '; ' if exc.hint else ''}deleted before it: " + ", ".join(
                deleted)
        raise
    finally:
        store.close()
    if output == "json":
        print_json({"command": "topic delete", "deleted": deleted})
