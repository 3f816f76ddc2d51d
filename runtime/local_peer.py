"""Which local user is at the other end of a TCP connection, for servers whose protocol
has no authentication of its own (Fluvio's, without TLS): they serve their owner only.

Linux lists every TCP socket of the network namespace in /proc/net/tcp and tcp6 with the
uid that owns it, as identd reads it: the client's socket is the entry whose local
address is the connection's remote one and the other way round.
"""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

PROC_NET = Path("/proc/net")


def peer_uid(sock: socket.socket) -> int | None:
    """The uid owning the client end of `sock` (an accepted TCP connection), or None when
    the client is not on this machine (or /proc does not say: not Linux)."""
    try:
        remote, local = sock.getpeername(), sock.getsockname()
    except OSError:
        return None
    six = sock.family == socket.AF_INET6
    want = (_proc_address(remote, six), _proc_address(local, six))
    try:
        lines = (PROC_NET / ("tcp6" if six else "tcp")).read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 7 and (fields[1], fields[2]) == want:
            return int(fields[7])
    return None


def allowed_uids(extra: tuple[int, ...] = ()) -> frozenset[int]:
    """This process's user, root, and `extra` (e.g. the uid Docker connectors run as)."""
    return frozenset({os.geteuid(), 0, *extra})


def _proc_address(address: tuple, six: bool) -> str:
    """`HOST:PORT` as /proc/net/tcp writes it: the address's 32-bit words in host byte
    order, each as 8 hex digits, then the port as 4."""
    host, port = address[0].split("%")[0], address[1]
    packed = socket.inet_pton(socket.AF_INET6 if six else socket.AF_INET, host)
    words = struct.unpack(f"={len(packed) // 4}I", packed)
    return "".join(f"{w:08X}" for w in words) + f":{port:04X}"
