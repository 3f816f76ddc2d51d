"""The endpoint's store access: group commit keeps the order submissions were made in,
each submission's offsets dense, and one bad group from spoiling the others."""

from __future__ import annotations

import asyncio

from runtime.errors import WeirError
from runtime.fluvio_wire.backend import Backend
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec


async def test_submissions_are_stored_in_order_grouped(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t", partitions=2))
        futures = [await backend.submit("t", [(i % 2, [ProduceRecord(f"{i}-{j}".encode())
                                                       for j in range(3)])])
                   for i in range(100)]
        bases = [(await f)[0] for f in futures]
        assert [b for i, b in enumerate(bases) if i % 2 == 0] == list(range(0, 150, 3))
        assert [b for i, b in enumerate(bases) if i % 2 == 1] == list(range(0, 150, 3))
        records, _, latest = await backend.read_chunk("t", 0, 0, 1000)
        assert latest == 150
        assert [r.value for r in records][:6] == [b"0-0", b"0-1", b"0-2", b"2-0", b"2-1",
                                                  b"2-2"]
    finally:
        await backend.stop()
        backend.close()


async def test_a_bad_group_or_topic_fails_alone(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t"))
        good = await backend.submit("t", [(0, [ProduceRecord(b"a")]),
                                          (7, [ProduceRecord(b"b")])])
        missing = await backend.submit("nope", [(0, [ProduceRecord(b"c")])])
        after = await backend.submit("t", [(0, [ProduceRecord(b"d")])])
        outcome = await good
        assert outcome[0] == 0 and isinstance(outcome[1], WeirError)
        assert "partition 7 does not exist" in outcome[1].message
        assert isinstance((await missing)[0], WeirError)
        assert await after == [1]
    finally:
        await backend.stop()
        backend.close()


async def test_concurrent_producers_share_dense_offsets(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t"))

        async def producer(name: str) -> list[int]:
            return [(await backend.append("t", [(0, [ProduceRecord(name.encode())] * 5)]))[0]
                    for _ in range(20)]

        results = await asyncio.gather(*(producer(f"p{k}") for k in range(5)))
        bases = sorted(b for r in results for b in r)
        assert bases == list(range(0, 500, 5))
    finally:
        await backend.stop()
        backend.close()
