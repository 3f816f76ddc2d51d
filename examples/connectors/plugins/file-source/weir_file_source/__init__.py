"""`file-source`: tail a text file, one record per line, as `tail -F` would.

- Rotation-safe: when the path is renamed away and a new file takes its place
  (logrotate's default), the old file is read to its end first, then the new one from its
  start. A file truncated in place (copytruncate) is read again from its start.
- Resumes where it stopped: each batch of lines is emitted with the position after it
  (device, inode, byte offset), which Weir stores in the same transaction as the records.
  A restart, even after SIGKILL, goes on from exactly there: no line lost, none twice.
  If the file was rotated while the connector was down, the rotated file is found by its
  inode in the same directory and finished first.
- Only complete lines are produced; a line still being written waits for its newline
  (a rotated file's unterminated last line is produced when it is left for good).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from runtime.connectors.kit import Duration, Field, Parameters, ProduceRecord, Source, seconds


class FileSourceParams(Parameters):
    """The `file:` section of a `file-source` config."""

    path: str = Field(description="the file to tail", examples=["/var/log/app.log"])
    start: Literal["beginning", "end"] = Field(
        "beginning", description="on a first start: read the file from its beginning, or "
        "only lines written from now on")
    poll_interval: Duration = Field("200ms", description="how often to look for new lines, "
                               "rotation and truncation when the file is at its end")
    max_line_bytes: int = Field(1_048_576, ge=1, description="a longer line is cut into "
                                "records of this size")
    batch_lines: int = Field(1000, ge=1, description="lines read per batch at most")
    strip_cr: bool = Field(True, description="drop a \\r before each \\n (CRLF files)")


@dataclass
class _Open:
    """The file being read, by identity, and the offset of its first unread byte."""

    handle: object
    dev: int
    ino: int
    offset: int
    name: str

    def position(self) -> str:
        return json.dumps({"dev": self.dev, "ino": self.ino, "offset": self.offset})


class FileSource(Source):
    type = "file-source"
    Params = FileSourceParams
    summary = "tail a text file, one record per line (rotation-safe, resumable)"
    section = "file"

    async def run(self, emit) -> None:
        p = self.params
        self.path = Path(p.path)
        self.poll = seconds(p.poll_interval)
        current = self._resume()
        pending_next: _Open | None = None  # the new file, once the old one is finished
        while True:
            if current is None:
                current = self._open(self.path, 0 if p.start == "beginning" else None)
                if current is None:
                    await asyncio.sleep(self.poll)
                    continue
            lines = self._read_lines(current, final=False)
            if lines:
                await emit([ProduceRecord(line) for line in lines], position=current.position())
                continue
            replacement = pending_next or self._replacement(current)
            if replacement is None:
                await asyncio.sleep(self.poll)
                continue
            if pending_next is None:
                # rotated: a writer may still finish a line in the old file; look again
                # after one interval before leaving it
                pending_next = replacement
                await asyncio.sleep(self.poll)
                continue
            while last := self._read_lines(current, final=True):
                await emit([ProduceRecord(line) for line in last], position=current.position())
            self.log.info(f"{current.name} was rotated: reading the new {self.path} from its "
                          "start")
            current.handle.close()
            current, pending_next = pending_next, None
            await emit([], position=current.position())

    # -- where to start ---------------------------------------------------------------
    def _resume(self) -> _Open | None:
        stored = self.position()
        if stored is None:
            return None
        where = json.loads(stored)
        dev, ino, offset = where["dev"], where["ino"], where["offset"]
        found = self._find(dev, ino)
        if found is None:
            self.log.warning(f"the file read last (inode {ino}, offset {offset}) is gone: "
                             f"rotated and removed while stopped; lines it had after offset "
                             f"{offset} cannot be read. Reading {self.path} from its start")
            return None
        opened = self._open(found, offset)
        if opened is None:
            return None
        if found != self.path:
            self.log.info(f"{self.path} was rotated while stopped: finishing {found} first")
        else:
            self.log.info(f"resuming {self.path} at offset {offset}")
        return opened

    def _find(self, dev: int, ino: int) -> Path | None:
        """The file with this identity: the path itself, or a rotated name beside it."""
        candidates = [self.path]
        try:
            candidates += sorted(p for p in self.path.parent.iterdir()
                                 if p.name.startswith(self.path.name) and p != self.path)
        except OSError:
            pass
        for candidate in candidates:
            try:
                st = candidate.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (dev, ino):
                return candidate
        return None

    def _open(self, path: Path, offset: int | None) -> _Open | None:
        """Open `path` at `offset` (None: its end); None when it does not exist yet."""
        try:
            handle = open(path, "rb")  # noqa: SIM115 - kept open while it is read
        except FileNotFoundError:
            return None
        st = os.fstat(handle.fileno())
        if offset is None:
            offset = st.st_size
        elif offset > st.st_size:
            self.log.warning(f"{path} is shorter ({st.st_size} bytes) than where reading "
                             f"stopped ({offset}): it was truncated; reading it from its start")
            offset = 0
        return _Open(handle, st.st_dev, st.st_ino, offset, str(path))

    # -- reading ----------------------------------------------------------------------
    def _read_lines(self, current: _Open, *, final: bool) -> list[bytes]:
        """Complete lines from the offset on, at most `batch_lines`; when `final` (the file
        is left for good), its unterminated last line too."""
        p = self.params
        size = os.fstat(current.handle.fileno()).st_size
        if size < current.offset:
            self.log.warning(f"{current.name} was truncated to {size} bytes: reading it from "
                             "its start")
            current.offset = 0
        current.handle.seek(current.offset)
        limit = p.max_line_bytes * min(p.batch_lines, 64)
        data = current.handle.read(limit)
        if not data:
            return []
        lines = data.split(b"\n")
        rest = lines.pop()  # after the last newline: a line still being written, or b""
        if len(lines) > p.batch_lines:
            lines, rest = lines[: p.batch_lines], b""
        elif not lines and len(rest) >= p.max_line_bytes:
            lines, rest = [rest[: p.max_line_bytes]], b""  # no newline in sight: cut it
            current.offset -= 1  # (no newline was consumed)
        elif final and rest and len(data) < limit:
            lines.append(rest)
            current.offset -= 1
        current.offset += sum(len(line) + 1 for line in lines)
        out = []
        for line in lines:
            if p.strip_cr and line.endswith(b"\r"):
                line = line[:-1]
            while len(line) > p.max_line_bytes:
                out.append(line[: p.max_line_bytes])
                line = line[p.max_line_bytes:]
            out.append(line)
        return out

    def _replacement(self, current: _Open) -> _Open | None:
        """The new file at the path when `current` was rotated away, else None."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None  # renamed, the new one not created yet
        if (st.st_dev, st.st_ino) == (current.dev, current.ino):
            return None
        return self._open(self.path, 0)
