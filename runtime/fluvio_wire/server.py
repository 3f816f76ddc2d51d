"""The Fluvio endpoint: the SC and SPU listeners on the event loop of the process that
starts it (the cluster daemon), over one profile's embedded store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from pathlib import Path

from runtime.fluvio_wire.backend import Backend
from runtime.fluvio_wire.budget import ByteBudget
from runtime.fluvio_wire.connection import Api, Connection
from runtime.fluvio_wire.listen import advertised_host, bound_address
from runtime.fluvio_wire.log_limit import client_trouble
from runtime.fluvio_wire.objects import SpuObject
from runtime.fluvio_wire.sc import ScService
from runtime.fluvio_wire.spu import SpuService
from runtime.launch.image import CONTAINER_UID
from runtime.local_peer import allowed_uids, peer_uid

log = logging.getLogger("weir.fluvio")

MAX_CONNECTIONS = 1024  # open at once, both ports together; more are closed at once


class FluvioEndpoint:
    def __init__(self, sc_sock: socket.socket, spu_sock: socket.socket, store_dir: Path,
                 registry_dir: Path | None = None) -> None:
        self._socks = (sc_sock, spu_sock)
        self.sc_address = bound_address(sc_sock)
        self.spu_address = bound_address(spu_sock)
        self.backend = Backend(store_dir, registry_dir)
        spu = SpuObject(advertised_host(self.spu_address.host), self.spu_address.port)
        self.sc = ScService(self.backend, spu)
        self.spu = SpuService(self.backend)
        self._servers: list[asyncio.Server] = []
        self._connections: set[Connection] = set()
        self._budget = ByteBudget()
        self._allowed = allowed_uids((CONTAINER_UID,) if os.geteuid() == 0 else ())
        self._refused: set[int] = set()

    @property
    def addresses(self) -> dict[str, str]:
        return {"sc": str(self.sc_address), "spu": str(self.spu_address)}

    async def start(self) -> None:
        await self.sc.start()
        sc_sock, spu_sock = self._socks
        for sock, apis, side in ((sc_sock, self.sc.apis(), "sc"),
                                 (spu_sock, self.spu.apis(), "spu")):
            self._servers.append(await asyncio.start_server(
                lambda r, w, apis=apis, side=side: self._serve(r, w, apis, side), sock=sock))

    def _admits(self, sock: socket.socket, side: str) -> bool:
        """Fluvio's protocol has no authentication: only the cluster's owner (and root,
        and the uid Docker connectors run as when the owner is root) may use it from this
        machine. A client /proc cannot place is not local (a non-loopback bind) and is
        served; so is everyone where there is no /proc to ask."""
        uid = peer_uid(sock)
        if uid is None or uid in self._allowed:
            return True
        if uid not in self._refused:  # one line per user, not one per attempt
            self._refused.add(uid)
            log.warning("fluvio %s: refused a connection from uid %d: only uid %d uses "
                        "this cluster", side, uid, os.geteuid())
        return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     apis: dict[int, Api], side: str) -> None:
        if len(self._connections) >= MAX_CONNECTIONS:
            client_trouble(logging.WARNING,
                           "fluvio %s: %d connections open already, refusing another", side,
                           len(self._connections))
            writer.close()
            return
        sock = writer.get_extra_info("socket")
        if sock is not None and not self._admits(sock, side):
            writer.close()
            return
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(reader, writer, apis, side, self._budget)
        self._connections.add(conn)
        try:
            await conn.serve()
        finally:
            self._connections.discard(conn)

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for conn in list(self._connections):
            conn.close()
        await self.sc.stop()
        await self.backend.stop()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        self.backend.close()
