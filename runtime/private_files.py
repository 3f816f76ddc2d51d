"""Files and directories only their owner can read, from their first byte.

Secrets, tokens, topic data, logs and records are created with their final mode: a
directory with mkdir(0o700), a file with os.open(..., O_CREAT | O_EXCL, 0o600) beside its
target and then renamed over it. The umask can only take bits away from a mode given at
creation, so whatever it is, no other user can read a file, not even between a write
and a chmod: nothing is chmod-ed after writing (tighten() only repairs what an older Weir
left behind).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Bits that let anyone but the owner in.
OTHERS = stat.S_IRWXG | stat.S_IRWXO


def make_private_dir(path: Path) -> Path:
    """Create `path`, and any missing parents, with mode 0700. A directory that exists
    already is left as it is (a home from an older Weir is tightened by runtime.home)."""
    try:
        os.mkdir(path, PRIVATE_DIR)
    except FileExistsError:
        if not path.is_dir():
            raise
    except FileNotFoundError:
        if path.parent == path:
            raise
        make_private_dir(path.parent)
        try:
            os.mkdir(path, PRIVATE_DIR)
        except FileExistsError:  # made by another process meanwhile
            if not path.is_dir():
                raise
    return path


def write_private_atomic(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data`, readable by its owner only: the bytes go to a new
    0600 file beside it, which then takes its name. A reader sees the old file or the new
    one, never half of one (also after a power cut); an old file with a looser mode is
    replaced, not reused."""
    make_private_dir(path.parent)
    body = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None  # name the target
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before it takes the name
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def open_private_append(path: Path) -> BinaryIO:
    """Open `path` for appending (unbuffered: each write is one write(2), so lines from
    concurrent writers stay whole), creating it 0600 if it does not exist."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
    return os.fdopen(fd, "ab", buffering=0)


def tighten(path: Path) -> bool:
    """Take every group and other permission off `path` itself (a symlink is left
    alone); True if it changed."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if stat.S_ISLNK(mode) or not mode & OTHERS:
        return False
    try:
        os.chmod(path, stat.S_IMODE(mode) & ~OTHERS)
    except OSError:
        return False  # not ours (a container's uid) or gone meanwhile: leave it
    return True


def tighten_tree(root: Path) -> int:
    """tighten() `root` and everything under it (no symlink is followed); returns how
    many entries changed."""
    return sum(tighten(path) for path in (root, *_walk(root)))


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            yield Path(dirpath, name)
