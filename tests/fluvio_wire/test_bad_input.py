"""Bytes no client should send, on both ports of a running cluster: each gets an error
answer or a closed connection, and the cluster goes on serving the official client."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import struct
import time

import pytest

from runtime.fluvio_wire import budget, connection, server
from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.listen import Address, bind
from runtime.fluvio_wire.server import FluvioEndpoint


def connect(address: str) -> socket.socket:
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def closed_or_answered(sock: socket.socket) -> bytes:
    """What the server sends until it closes or goes quiet for a second."""
    sock.settimeout(1.0)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    except ConnectionResetError:
        pass
    return data


def request(api_key: int, version: int, body: bytes, correlation_id: int = 7) -> bytes:
    payload = Writer().u16(api_key).i16(version).i32(correlation_id).string("fuzz").getvalue()
    payload += body
    return struct.pack(">i", len(payload)) + payload


def test_garbage_on_both_ports_then_the_official_client_still_works(cluster):
    rng = random.Random(11)
    for address in (cluster.sc, cluster.spu):
        for _ in range(20):  # random noise, of random sizes
            with connect(address) as sock:
                sock.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000))))
                closed_or_answered(sock)
        with connect(address) as sock:  # a frame claiming 2 GB: refused before reading
            sock.sendall(struct.pack(">i", 2**31 - 1) + b"x" * 100)
            assert closed_or_answered(sock) == b""
        with connect(address) as sock:  # a negative size
            sock.sendall(struct.pack(">i", -5))
            assert closed_or_answered(sock) == b""
        with connect(address) as sock:  # an api key the server does not serve
            sock.sendall(request(4242, 0, b""))
            assert closed_or_answered(sock) == b""
        for key in (1001, 1002, 1003, 1004, 0, 1002, 1003, 1005, 1006, 1007, 1008, 18):
            with connect(address) as sock:  # a known request with a body of noise
                sock.sendall(request(key, 19, os.urandom(rng.randint(0, 200))))
                closed_or_answered(sock)
    # a create with an undecodable spec gets Fluvio's error code on an open connection
    with connect(cluster.sc) as sock:
        body = Writer().string("Topic").u32(3).raw(b"\x00\x01x").getvalue()
        sock.sendall(request(1001, 19, body, correlation_id=9))
        answer = closed_or_answered(sock)
        r = Reader(answer)
        assert (r.i32(), r.i32()) == (len(answer) - 4, 9)
        r.string()
        assert r.i16() == 60  # InvalidCreateRequest
        assert "invalid request" in r.option(Reader.string)
    status = cluster.weir("cluster", "status", "-O", "json")
    assert '"reachable": true' in status.stdout
    out = cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_topic("after-garbage")
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        producer = fl.topic_producer("after-garbage")
        producer.send(b"k", b"still-works")
        producer.flush()
        rec = next(fl.partition_consumer("after-garbage", 0).stream(Offset.beginning()))
        print(json.dumps(rec.value_string()))
    """)
    assert out == "still-works"


@pytest.fixture
async def endpoint(tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "FRAME_TIMEOUT_S", 0.5)
    ep = FluvioEndpoint(bind(Address("127.0.0.1", 0), "sc"),
                        bind(Address("127.0.0.1", 0), "spu"), tmp_path / "data")
    await ep.start()
    yield ep
    await ep.stop()


async def test_half_a_frame_is_dropped_after_the_time_limit(endpoint):
    for address in (endpoint.sc_address, endpoint.spu_address):
        reader, writer = await asyncio.open_connection(address.host, address.port)
        writer.write(struct.pack(">i", 100) + b"only part of it")
        await writer.drain()
        start = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
        assert time.monotonic() - start < 3
        writer.close()


async def test_an_idle_connection_between_frames_is_kept(endpoint):
    reader, writer = await asyncio.open_connection(endpoint.sc_address.host,
                                                   endpoint.sc_address.port)
    await asyncio.sleep(1.0)  # twice the frame time limit, between frames: fine
    writer.write(request(18, 0, b"", correlation_id=3))
    await writer.drain()
    size = struct.unpack(">i", await asyncio.wait_for(reader.readexactly(4), 5))[0]
    frame = await reader.readexactly(size)
    assert struct.unpack(">i", frame[:4])[0] == 3
    writer.close()


async def test_the_request_budget_makes_a_second_big_frame_wait(tmp_path, monkeypatch):
    """Request bodies of all connections share one memory budget: while one client holds
    it with a frame it does not finish, another client's frame waits, then is served."""
    monkeypatch.setattr(connection, "FRAME_TIMEOUT_S", 0.5)
    monkeypatch.setattr(budget, "MAX_REQUEST_BYTES", 1500)
    ep = FluvioEndpoint(bind(Address("127.0.0.1", 0), "sc"),
                        bind(Address("127.0.0.1", 0), "spu"), tmp_path / "data")
    await ep.start()
    try:
        host, port = ep.sc_address.host, ep.sc_address.port
        _, hog = await asyncio.open_connection(host, port)
        hog.write(struct.pack(">i", 1000) + b"\x00" * 10)  # holds 1000 of 1500 bytes
        await hog.drain()
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection(host, port)
        padding = b"\x00" * 900  # an ApiVersions v0 request padded to 900+ bytes
        writer.write(request(18, 0, padding, correlation_id=5))
        await writer.drain()
        start = time.monotonic()
        size = struct.unpack(">i", await asyncio.wait_for(reader.readexactly(4), 5))[0]
        frame = await reader.readexactly(size)
        assert struct.unpack(">i", frame[:4])[0] == 5
        assert time.monotonic() - start >= 0.3  # it waited for the hog to be dropped
        assert ep._budget.used == 0
        writer.close()
        hog.close()
    finally:
        await ep.stop()


async def test_connections_beyond_the_limit_are_closed(endpoint, monkeypatch):
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 2)
    host, port = endpoint.sc_address.host, endpoint.sc_address.port
    kept = [await asyncio.open_connection(host, port) for _ in range(2)]
    await asyncio.sleep(0.1)
    reader, _ = await asyncio.open_connection(host, port)
    assert await asyncio.wait_for(reader.read(), 5) == b""  # refused
    for _, writer in kept:
        writer.close()
    await asyncio.sleep(0.2)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request(18, 0, b"", correlation_id=8))
    await writer.drain()
    size = struct.unpack(">i", await asyncio.wait_for(reader.readexactly(4), 5))[0]
    assert struct.unpack(">i", (await reader.readexactly(size))[:4])[0] == 8
    writer.close()
