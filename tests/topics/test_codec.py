"""Packing a batch into one row and back: any records, any slice of them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from runtime.topics import codec
from runtime.topics.record import ProduceRecord

records_st = st.lists(
    st.builds(
        ProduceRecord,
        value=st.binary(max_size=64),
        key=st.none() | st.binary(max_size=16),
        timestamp=st.none() | st.integers(0, 2**62),
        headers=st.lists(st.tuples(st.text(max_size=8), st.binary(max_size=8)),
                         max_size=3).map(tuple),
    ),
    min_size=1,
    max_size=40,
)


def row(batch: codec.PackedBatch) -> tuple:
    return (batch.count, batch.first_ts, batch.timestamps, batch.value_lens, batch.values,
            batch.key_lens, batch.keys, batch.headers)


@given(records_st, st.integers(0, 2**40), st.integers(0, 5), st.data())
def test_roundtrip_of_any_slice(records, base, partition, data):
    batch = codec.pack(records, now_ms=1234)
    start = data.draw(st.integers(0, len(records)))
    stop = data.draw(st.integers(start, len(records)))
    got = codec.unpack(base, partition, row(batch), start, stop)
    assert [r.offset for r in got] == list(range(base + start, base + stop))
    for r, src in zip(got, records[start:stop], strict=True):
        assert (r.value, r.key, r.headers, r.partition) == (
            src.value, src.key, src.headers, partition)
        assert r.timestamp == (1234 if src.timestamp is None else src.timestamp)


def test_compact_when_uniform():
    batch = codec.pack([ProduceRecord(b"x" * 10)] * 100, now_ms=5)
    assert batch.timestamps is None and batch.key_lens is None and batch.headers is None
    assert batch.size == 100 * 10 + 100 * 4


def test_bad_record_types_are_weir_errors():
    import pytest

    from runtime.errors import WeirError

    for bad in ([ProduceRecord("text")], [ProduceRecord(b"v", key="k")],
                [ProduceRecord(b"v", timestamp="now")], [ProduceRecord(b"v", headers=((1, 2),))],
                [b"not a record"]):
        with pytest.raises(WeirError):
            codec.pack(bad, now_ms=0)
