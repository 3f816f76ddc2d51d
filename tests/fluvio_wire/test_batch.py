"""Record batches: every compression Fluvio uses, in both directions, and bounded
decompression."""

from __future__ import annotations

import zlib

import cramjam
import pytest

from runtime.fluvio_wire import batch as b
from runtime.fluvio_wire.codec import DecodeError, Reader
from runtime.topics.record import ProduceRecord, Record

RECORDS = [Record(i, 1_700_000_000_000 + i, None if i % 3 == 0 else f"k{i}".encode(),
                  f"value-{i}".encode() * (i % 7 + 1)) for i in range(50)]


@pytest.mark.parametrize("kind", [b.NO_COMPRESSION, b.GZIP, b.SNAPPY, b.LZ4, b.ZSTD])
def test_each_compression_round_trips(kind):
    encoded = b.encode_batch(RECORDS, kind)
    assert b.check_crc(encoded)
    [batch] = b.decode_record_set(Reader(b.encode_record_set([encoded])))
    assert batch.compression == kind
    assert list(batch.records) == [ProduceRecord(r.value, r.key, r.timestamp) for r in RECORDS]


def test_several_batches_in_one_set():
    sets = b.encode_record_set([b.encode_batch(RECORDS[:10], b.GZIP),
                                b.encode_batch(RECORDS[10:], b.ZSTD)])
    batches = b.decode_record_set(Reader(sets))
    assert [len(x.records) for x in batches] == [10, 40]


def test_gzip_written_by_the_standard_library_is_read():
    # Fluvio's producer compresses with flate2's gzip: any conforming gzip stream works.
    plain = b.encode_batch(RECORDS[:3])
    records_blob = plain[b.HEADER_BYTES:]
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    blob = gz.compress(records_blob) + gz.flush()
    assert b._decompress(b.GZIP, blob) == records_blob


@pytest.mark.parametrize("kind", [b.GZIP, b.SNAPPY, b.LZ4, b.ZSTD])
def test_a_decompression_bomb_is_refused_not_expanded(kind, monkeypatch):
    monkeypatch.setattr(b, "MAX_BATCH_BYTES", 1_000_000)
    bomb = b.compress(kind, b"\x00" * 5_000_000)
    with pytest.raises(b.CompressionError, match="more than"):
        b._decompress(kind, bomb)


@pytest.mark.parametrize("kind", [b.GZIP, b.SNAPPY, b.LZ4, b.ZSTD])
def test_corrupt_compressed_data_is_a_compression_error(kind):
    with pytest.raises(b.CompressionError):
        b._decompress(kind, b"not compressed at all" * 3)


def test_unknown_compression_is_refused():
    encoded = bytearray(b.encode_batch(RECORDS[:1]))
    encoded[22] = 6  # attributes' low byte: compression 6 does not exist
    with pytest.raises(DecodeError, match="unknown compression"):
        b.decode_record_set(Reader(b.encode_record_set([bytes(encoded)])))


def test_snappy_is_the_framed_format_fluvio_uses():
    framed = bytes(cramjam.snappy.compress(b"hello"))
    assert framed.startswith(b"\xff\x06\x00\x00sNaPpY")
    assert b._decompress(b.SNAPPY, framed) == b"hello"
