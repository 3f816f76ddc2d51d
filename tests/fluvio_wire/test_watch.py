"""Metadata watches on the wire: a snapshot at once, then each change under a rising
epoch, UPDATE for a topic made by another store connection and DELETE once it is gone."""

from __future__ import annotations

import asyncio
import struct

from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.listen import Address, bind
from runtime.fluvio_wire.server import FluvioEndpoint
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.store import TopicSpec


def watch_request(label: str, correlation_id: int) -> bytes:
    body = Writer().i64(0).bool(False).getvalue()
    payload = (Writer().u16(1004).i16(19).i32(correlation_id).string("dummy")
               .string(label).u32(len(body)).raw(body).getvalue())
    return struct.pack(">i", len(payload)) + payload


async def read_update(reader: asyncio.StreamReader) -> tuple[int, list, list[str]]:
    """(epoch, [(UPDATE 0 / DELETE 1, name)], [name]) of one watch frame: the first
    change or the first object of `all` (the objects' layouts are tested elsewhere)."""
    size = struct.unpack(">i", await asyncio.wait_for(reader.readexactly(4), 10))[0]
    r = Reader(await reader.readexactly(size))
    r.i32()  # correlation id
    r.string()  # label
    r.u32()  # payload length
    epoch = r.i64()
    if r.count():
        kind = r.u8()
        return epoch, [(kind, r.string())], []
    return epoch, [], [r.string()] if r.count() else []


async def test_snapshot_then_changes_with_rising_epochs(tmp_path):
    ep = FluvioEndpoint(bind(Address("127.0.0.1", 0), "sc"),
                        bind(Address("127.0.0.1", 0), "spu"), tmp_path)
    await ep.start()
    store = EmbeddedStore(tmp_path)
    try:
        reader, writer = await asyncio.open_connection(ep.sc_address.host,
                                                       ep.sc_address.port)
        writer.write(watch_request("Topic", 3))
        await writer.drain()
        epoch, changes, names = await read_update(reader)
        assert changes == [] and names == ["consumer-offset"]  # never an empty snapshot
        await asyncio.to_thread(store.create_topic, TopicSpec("appears"))
        created, changes, _ = await read_update(reader)
        assert created > epoch and changes == [(0, "appears")]
        await asyncio.to_thread(store.delete_topic, "appears")
        deleted, changes, _ = await read_update(reader)
        assert deleted > created and changes == [(1, "appears")]
        writer.close()
    finally:
        store.close()
        await ep.stop()
