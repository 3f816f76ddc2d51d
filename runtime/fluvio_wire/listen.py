"""Where the Fluvio endpoint listens: `HOST:PORT` addresses, Fluvio's default ports (SC
9003, SPU 9005) or the next free ones, and binding before the daemon serves anything, so
a taken port is a clear error at `weir cluster start`, never a half-started cluster."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from runtime.errors import EnvironmentProblem, WeirError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_SC_PORT = 9003
DEFAULT_SPU_PORT = 9005
_SEARCH = 100  # ports tried after a taken default


@dataclass(frozen=True, slots=True)
class Address:
    host: str
    port: int  # 0: any free port

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_address(text: str, what: str) -> Address:
    """`HOST:PORT` (IPv6 as `[::1]:PORT`); WeirError naming the flag otherwise."""
    host, sep, port = text.strip().rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise WeirError(f"{what} `{text}` is not HOST:PORT",
                        hint=f"e.g. {what} 127.0.0.1:{DEFAULT_SC_PORT} (port 0: any free port)")
    return Address(host, int(port))


def _bind(address: Address) -> socket.socket:
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address.host, address.port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def bind(address: Address, what: str) -> socket.socket:
    """A listening socket on exactly `address`."""
    try:
        return _bind(address)
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        raise EnvironmentProblem(
            f"cannot listen on {address} for {what}: "
            + ("the port is taken" if taken else exc.strerror or str(exc)),
            hint="pick another port (0: any free one), or start with --no-fluvio",
        ) from None


def bind_default(port: int, avoid: set[int], what: str) -> socket.socket:
    """Fluvio's default port on loopback, else the next free one."""
    for candidate in range(port, port + _SEARCH):
        if candidate in avoid:
            continue
        try:
            return _bind(Address(DEFAULT_HOST, candidate))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise EnvironmentProblem(f"cannot listen on {DEFAULT_HOST}:{candidate} for "
                                         f"{what}: {exc.strerror or exc}") from None
    return bind(Address(DEFAULT_HOST, 0), what)


def bound_address(sock: socket.socket) -> Address:
    host, port = sock.getsockname()[:2]
    return Address(host, port)


def advertised_host(host: str) -> str:
    """The host clients are told to reach the SPU at (a wildcard address means loopback)."""
    return DEFAULT_HOST if host in ("0.0.0.0", "", "::") else host
