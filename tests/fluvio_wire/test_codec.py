"""Fluvio's encodings against bytes the official client sent or accepted
(`../shared/docs/fluvio-wire.md`, captured with fluvio==0.21.0)."""

from __future__ import annotations

import pytest

from runtime.fluvio_wire import admin, api_versions, fetch, produce
from runtime.fluvio_wire.batch import check_crc, encode_batch, encode_record_set
from runtime.fluvio_wire.codec import DecodeError, Reader, Writer, encode_varint
from runtime.fluvio_wire.error_code import ErrorCode, evicted, other
from runtime.fluvio_wire.header import decode_header, response_frame
from runtime.fluvio_wire.objects import SpuObject
from runtime.topics.record import ProduceRecord, Record


def hx(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))


API_VERSIONS_REQUEST = hx("""
    00000027 0012 0002 00000001 0006 666c7576696f
    0006 302e31352e32 0005 6c696e7578 0006 7838365f3634""")

API_VERSIONS_REPLY = hx("""
    0000002a 00000001 0000 00000004
    03e9 0009 0013  03ea 0001 0013  03eb 000f 0013  03ec 000f 0013
    0006 302e31372e33""")

WATCH_SPU_REQUEST = hx("03ec 0013 00000001 0005 64756d6d79 0003 535055 00000009"
                       "0000000000000000 00")

SPU_WATCH_REPLY = hx("""
    00000051 00000001 0003535055 00000044 0000000000000001 00000000 00000001
    0008776569722d737075 00001389 01 2390 00000001 01 00093132372e302e302e31 00 00
    2390 00093132372e302e302e31 00 00 00 00""")

RECORD_SET = hx("""
    00000053
    0000000000000000 00000047 ffffffff 02 fe4cfaa1
    0000 00000001 000001a2352dbc80 000001a2352dbc80
    ffffffffffffffff ffff ffffffff 00000002
    14 00 00 00 01 02 61 04 6869 00
    14 00 00 02 01 02 62 04 796f 00""")

PRODUCE_REQUEST = hx("""
    0000 0018 00000001 0006 666c7576696f
    00 0001 000005dc
    00000001 0002 7431 00000001 00000000""") + RECORD_SET + hx("00000000")

STREAM_FETCH_FRAME = hx("""
    00000082 00000004 0002 7431 00000001
    00000000 0000 0000000000000002 0000000000000000 0000000000000000 00""") + RECORD_SET

TS = 0x1a2352dbc80


def test_api_versions_request_decodes_as_the_client_sent_it():
    r = Reader(API_VERSIONS_REQUEST, 4)
    header = decode_header(r)
    assert (header.api_key, header.api_version, header.correlation_id, header.client_id) == \
        (18, 2, 1, "fluvio")
    req = api_versions.decode_request(r, header.api_version)
    assert (req.client_version, req.client_os, req.client_arch) == \
        ("0.15.2", "linux", "x86_64")
    assert r.remaining == 0


def test_api_versions_reply_is_byte_for_byte_the_accepted_one():
    keys = ((1001, 9, 19), (1002, 1, 19), (1003, 15, 19), (1004, 15, 19))
    body = api_versions.encode_response(keys, "0.17.3")
    assert response_frame(1, body) == API_VERSIONS_REPLY


def test_watch_request_and_spu_snapshot():
    r = Reader(WATCH_SPU_REQUEST)
    header = decode_header(r)
    assert (header.api_key, header.api_version, header.client_id) == (1004, 19, "dummy")
    req = admin.decode_watch(r, 19)
    assert (req.label, req.epoch, req.summary) == ("SPU", 0, False)
    update = admin.MetadataUpdate(1, all=[SpuObject("127.0.0.1", 9104)])
    assert response_frame(1, admin.encode_watch("SPU", update, 19)) == SPU_WATCH_REPLY


def test_captured_produce_request_decodes_to_its_records():
    r = Reader(PRODUCE_REQUEST)
    header = decode_header(r)
    assert (header.api_key, header.api_version) == (0, 24)
    req = produce.decode_request(r, 24)
    assert r.remaining == 0
    assert (req.transactional_id, req.isolation, req.timeout_ms, req.smartmodules) == \
        (None, 1, 1500, [])
    [topic] = req.topics
    [part] = topic.partitions
    assert (topic.name, part.partition) == ("t1", 0)
    [batch] = part.batches
    assert list(batch.records) == [ProduceRecord(b"hi", b"a", TS), ProduceRecord(b"yo", b"b", TS)]


def test_batch_encoding_matches_the_client_byte_for_byte_crc_included():
    records = [Record(0, TS, b"a", b"hi"), Record(1, TS, b"b", b"yo")]
    batch = encode_batch(records)
    assert encode_record_set([batch]) == RECORD_SET
    assert check_crc(batch)


def test_stream_fetch_frame_is_the_accepted_one():
    records = [Record(0, TS, b"a", b"hi"), Record(1, TS, b"b", b"yo")]
    body = fetch.encode_stream_frame("t1", 1, 0, ErrorCode(), 2, 0,
                                     encode_record_set([encode_batch(records)]), 24)
    assert response_frame(4, body) == STREAM_FETCH_FRAME


@pytest.mark.parametrize("n", [0, 1, -1, 63, -64, 64, 300, -300, 2**31 - 1, -(2**31)])
def test_varint_round_trip(n):
    assert Reader(encode_varint(n)).varint() == n


def test_varint_known_bytes():
    assert encode_varint(10) == b"\x14"  # the record lengths above
    assert encode_varint(-1) == b"\x01"
    assert encode_varint(150) == b"\xac\x02"


def test_primitives_round_trip():
    w = Writer().bool(True).i16(-2).u32(7).i64(-9).string("héllo").option_string(None)
    w.string_map({"b": "2", "a": "1"}).bytes_(b"\x00\x01")
    r = Reader(w.getvalue())
    assert (r.bool(), r.i16(), r.u32(), r.i64(), r.string(), r.option(Reader.string)) == \
        (True, -2, 7, -9, "héllo", None)
    assert r.string_map() == {"a": "1", "b": "2"}
    assert r.bytes_() == b"\x00\x01" and r.remaining == 0


@pytest.mark.parametrize("data, message", [
    (b"\x02", "bool must be 0 or 1"),
    (b"\x00\x05ab", "needs 5 bytes"),
    (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "longer than 10 bytes"),
])
def test_bad_bytes_are_decode_errors(data, message):
    r = Reader(data)
    with pytest.raises(DecodeError, match=message):
        {b"\x02": r.bool, b"\x00\x05ab": r.string}.get(data, r.varint)()


def test_a_huge_vector_count_is_refused_before_allocating():
    with pytest.raises(DecodeError, match="over the limit"):
        Reader(b"\x7f\xff\xff\xff").vec(Reader.u8)


def test_error_codes_with_fields():
    assert ErrorCode(0).encode(Writer()).getvalue() == hx("0000")
    assert evicted(3, 10).encode(Writer()).getvalue() == hx("0047 0000000000000003 "
                                                            "000000000000000a")
    assert other("x").encode(Writer()).getvalue() == hx("0002 0001 78")
