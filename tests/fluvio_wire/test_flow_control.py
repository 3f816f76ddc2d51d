"""StreamFetch flow control on the wire: a consumer that does not acknowledge gets two
chunks and then nothing, however much the partition holds; each UpdateOffsets lets one
more chunk out."""

from __future__ import annotations

import socket
import struct

from runtime.fluvio_wire.batch import decode_record_set
from runtime.fluvio_wire.codec import Reader, Writer

STREAM = 5  # the StreamFetch's correlation id


def _request(api_key: int, version: int, body: bytes, correlation_id: int) -> bytes:
    head = Writer().u16(api_key).i16(version).i32(correlation_id).string("test").getvalue()
    return struct.pack(">i", len(head) + len(body)) + head + body


def _frames(sock: socket.socket, quiet_s: float = 1.5) -> list[tuple[int, Reader]]:
    """Every frame that arrives until the server stays quiet for `quiet_s`."""
    sock.settimeout(quiet_s)
    data = b""
    try:
        while chunk := sock.recv(1 << 20):
            data += chunk
    except TimeoutError:
        pass
    frames = []
    while data:
        (size,) = struct.unpack_from(">i", data)
        r = Reader(data[4:4 + size])
        frames.append((r.i32(), r))
        data = data[4 + size:]
    return frames


def _chunk(r: Reader) -> tuple[int, list[bytes]]:
    """A StreamFetch frame: its stream id and record values."""
    r.string()
    stream_id = r.u32()
    r.u32()
    assert r.i16() == 0
    r.i64(), r.i64(), r.i64()
    r.bool()
    return stream_id, [rec.value for b in decode_record_set(r) for rec in b.records]


def test_an_unacknowledging_consumer_gets_two_chunks_then_one_per_ack(cluster):
    assert cluster.weir("topic", "create", "flow").returncode == 0
    values = [f"record-{i:03d}" for i in range(200)]
    assert cluster.weir("produce", "flow", input="\n".join(values) + "\n").returncode == 0
    host, port = cluster.spu.rsplit(":", 1)
    fetch = Writer().string("flow").u32(0).i64(0).i32(200).u8(0).count(0).bool(False)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(_request(1003, 24, fetch.getvalue(), STREAM))
        first = [_chunk(r) for cid, r in _frames(sock) if cid == STREAM]
        assert len(first) == 2  # the partition holds far more: the rest waits for acks
        stream_id = first[0][0]
        got = first[0][1] + first[1][1]
        assert got == [v.encode() for v in values[:len(got)]]
        assert len(got) < 40
        ack = Writer().count(1).i64(len(first[0][1])).u32(stream_id)  # the first chunk's end
        sock.sendall(_request(1005, 0, ack.getvalue(), 9))
        after = _frames(sock)
        chunks = [_chunk(r) for cid, r in after if cid == STREAM]
        assert [cid for cid, _ in after].count(9) == 1  # UpdateOffsets answered
        assert len(chunks) == 1
        assert chunks[0][1] == [v.encode() for v in values[len(got):len(got) +
                                                          len(chunks[0][1])]]
