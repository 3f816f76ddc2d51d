"""A byte budget shared by every connection of the endpoint: what request bodies being
read, queued or handled may hold in memory at once, so that many clients sending large
frames together wait for room instead of growing the daemon without bound."""

from __future__ import annotations

import asyncio

MAX_REQUEST_BYTES = 256 * 1024 * 1024  # all connections together


class ByteBudget:
    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit or MAX_REQUEST_BYTES
        self.used = 0
        self._room = asyncio.Condition()

    async def acquire(self, n: int) -> None:
        """Wait until `n` more bytes fit (a request bigger than the whole budget waits
        until nothing else holds any, then goes alone)."""
        async with self._room:
            await self._room.wait_for(lambda: self.used == 0 or self.used + n <= self.limit)
            self.used += n

    def release(self, n: int) -> None:
        self.used -= n
        asyncio.ensure_future(self._notify())

    async def _notify(self) -> None:
        async with self._room:
            self._room.notify_all()
