"""Wake followers within a millisecond of a commit, without polling.

Every follower binds a UNIX datagram socket in `<store>/notify/`, named after the topic
(a hash of it, to keep the path short), its pid and a random token. After a producer
commits a batch it sends one empty datagram to each socket of that topic. A datagram to
a socket whose follower died is refused; the producer removes that file. Sockets work
across processes and across containers that mount the same data directory, cost nothing
while idle, and a missed datagram only delays a follower until its fallback poll.
They are the store owner's alone (0600 in a 0700 directory): another local user can
neither list them nor wake a follower.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import socket
import zlib
from pathlib import Path

# The channel that creating or deleting a topic pokes (no topic name holds a '/'), so that
# the cluster's Fluvio endpoint sees topics another process made at once.
CATALOG = "/topics"

# Longest path a sockaddr_un holds (108 on Linux, 104 on macOS), with room for the NUL.
_MAX_SUN_PATH = 100


def _prefix(topic: str) -> str:
    return f"{zlib.crc32(topic.encode()):08x}."


class _ShortPath:
    """Bind/send to a socket whose absolute path is too long for sockaddr_un, through
    /proc/self/fd/N of its directory (Linux); plain paths elsewhere."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._dir_fd: int | None = None
        if len(str(directory)) + 40 > _MAX_SUN_PATH and os.path.isdir("/proc/self/fd"):
            self._dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)

    def address(self, name: str) -> str:
        if self._dir_fd is not None:
            return f"/proc/self/fd/{self._dir_fd}/{name}"
        return str(self.directory / name)

    def close(self) -> None:
        if self._dir_fd is not None:
            os.close(self._dir_fd)
            self._dir_fd = None


class Notifier:
    """The producer's side: poke every follower of a topic after a commit."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._paths: _ShortPath | None = None
        self._sock: socket.socket | None = None

    def notify(self, topic: str) -> None:
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        prefix = _prefix(topic)
        targets = [n for n in names if n.startswith(prefix)]
        if not targets:
            return
        if self._sock is None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sock.setblocking(False)
            self._paths = _ShortPath(self.directory)
        assert self._paths is not None
        for name in targets:
            try:
                self._sock.sendto(b"", self._paths.address(name))
            except (ConnectionRefusedError, FileNotFoundError):
                # The follower is gone (killed without cleaning up): tidy its socket away.
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass
            except OSError as exc:
                # EAGAIN: its queue is full, so it has wake-ups pending already.
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES,
                                     errno.EPERM, errno.ENOTSOCK):
                    raise

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._paths is not None:
            self._paths.close()
            self._paths = None


def _make_owners(sock: Path, directory: Path) -> None:
    """Only the store's owner may wake a follower: the socket 0600 (the 0700 directory
    already keeps everyone else from reaching it, whatever mode bind gave it). Weir run
    as root with the store handed to a container's uid (runtime.launch.docker) gives the
    socket to that uid, so the container's producers can still wake root's followers."""
    os.chmod(sock, 0o600)
    if os.geteuid() == 0:
        owner = os.stat(directory)
        if owner.st_uid != 0:
            os.chown(sock, owner.st_uid, owner.st_gid)


class Listener:
    """The follower's side: a bound socket to wait on. Bind it before reading, so that
    no commit falls between the read that found nothing and the wait."""

    def __init__(self, directory: Path, topic: str) -> None:
        self.directory = directory
        self.name = f"{_prefix(topic)}{os.getpid()}.{secrets.token_hex(4)}"
        self._paths = _ShortPath(directory)
        self.sock: socket.socket | None = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        try:
            self.sock.bind(self._paths.address(self.name))
            _make_owners(self.directory / self.name, self.directory)
        except OSError:
            # No socket here (read-only mount, odd filesystem): the follower polls instead.
            self.sock.close()
            self.sock = None

    def drain(self) -> None:
        while self.sock is not None:
            try:
                self.sock.recv(16)
            except (BlockingIOError, InterruptedError):
                return

    async def wait(self, timeout: float) -> bool:
        """Wait for a wake-up or `timeout` seconds; True if woken."""
        if self.sock is None:
            await asyncio.sleep(timeout)
            return False
        loop = asyncio.get_running_loop()
        woken = loop.create_future()
        fd = self.sock.fileno()
        loop.add_reader(fd, lambda: woken.done() or woken.set_result(True))
        try:
            await asyncio.wait_for(woken, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(fd)
            self.drain()

    def wait_blocking(self, timeout: float) -> bool:
        """The same for threads without an event loop."""
        import select

        if self.sock is None:
            import time

            time.sleep(timeout)
            return False
        ready, _, _ = select.select([self.sock], [], [], timeout)
        self.drain()
        return bool(ready)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
            try:
                os.unlink(self.directory / self.name)
            except OSError:
                pass
        self._paths.close()
