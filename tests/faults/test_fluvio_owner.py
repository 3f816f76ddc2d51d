"""The cluster's Fluvio endpoint has no authentication (Fluvio's protocol has none without
TLS), so it serves only its owner: another local user connecting to the SC or SPU port is
disconnected before a byte is read, told once in the daemon's log."""

from __future__ import annotations

import json
import os
import socket
import struct

import pytest

from runtime.launch.layout import daemon_log
from runtime.local_peer import peer_uid
from tests.conftest import run_weir

# ApiVersions (18) v0 from client "probe", correlation id 7.
API_VERSIONS = struct.pack(">ihhih", 4 + 4 + 2 + 5, 18, 0, 7, 5) + b"probe"

# As the stranger: connect, ask, print what came back before the server closed.
ASK = r"""
import json, socket, sys
out = {}
for address in sys.argv[2:]:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.settimeout(3)
        try:
            s.sendall(bytes.fromhex(sys.argv[1]))
            data = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        except TimeoutError:
            data = b"<no answer, still open>"
    out[address] = data.hex()
print(json.dumps(out))
"""


def _ask(address: str) -> bytes:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(API_VERSIONS)
        return sock.recv(65536)


def test_another_local_user_is_refused_on_both_ports(stranger, weir_home):
    started = run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0",
                       "--fluvio-spu", "127.0.0.1:0")
    assert started.returncode == 0, started.stderr
    ports = json.loads(run_weir("cluster", "status", "-O", "json").stdout)["fluvio"]
    addresses = [ports["sc"], ports["spu"]]
    for address in addresses:
        assert _ask(address)[:4] != b""  # the owner is answered
    for _ in range(3):
        got = stranger.python(ASK, API_VERSIONS.hex(), *addresses)
        assert got == {a: "" for a in addresses}  # closed, nothing read, nothing sent
    for address in addresses:
        assert _ask(address)  # and the owner still is
    refusals = [line for line in daemon_log(weir_home).read_text().splitlines()
                if f"refused a connection from uid {stranger.uid}" in line]
    assert len(refusals) == 1, refusals


@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.1"),
                                          (socket.AF_INET6, "::1")], ids=["ipv4", "ipv6"])
def test_peer_uid_names_the_local_client(family, host):
    try:
        server = socket.socket(family, socket.SOCK_STREAM)
        server.bind((host, 0))
    except OSError:
        pytest.skip(f"no {host} here")
    with server:
        server.listen(1)
        with socket.create_connection(server.getsockname()[:2]) as client:
            accepted, _ = server.accept()
            with accepted:
                assert peer_uid(accepted) == os.geteuid()
                assert client  # kept open while looked up
