"""A second, unprivileged local user, created for a test and removed after it: what
another person on the same machine could do to a Weir home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Interpreters the stranger may be able to run (their stdlib only: the test's venv may
# sit where they cannot enter, and what they run must not depend on Weir).
PYTHONS = [os.path.realpath(sys.executable),
           *filter(None, [shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")])]


@dataclass(frozen=True)
class Stranger:
    name: str
    uid: int
    gid: int
    python_path: str

    def command(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.name, "--", *args]

    def python(self, code: str, *args: str, timeout: float = 60) -> dict:
        """Run `code` as the stranger; it prints one JSON object, returned here."""
        done = subprocess.run(self.command(self.python_path, "-c", code, *args),
                              capture_output=True, text=True, timeout=timeout, cwd="/")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def start_python(self, code: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.command(self.python_path, "-c", code, *args),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd="/")


def runnable_python(name: str) -> str | None:
    """The first of PYTHONS that user `name` can run."""
    for path in PYTHONS:
        done = subprocess.run(["runuser", "-u", name, "--", path, "-c", "pass"],
                              capture_output=True, cwd="/")
        if done.returncode == 0:
            return path
    return None


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """The test process's umask, which every weir it starts (and their children) inherit."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# Run as the stranger: try to list every directory, read every file and send to every
# socket given (JSON on argv[1]); print what worked.
PROBE = r"""
import json, os, socket, sys
paths = json.loads(sys.argv[1])
got = []
for path in paths:
    try:
        if os.path.isdir(path):
            os.listdir(path); got.append(("listed", path))
        else:
            try:
                with open(path, "rb") as f:
                    f.read(1); got.append(("read", path))
            except OSError as exc:
                if exc.errno != 6:  # ENXIO: a socket; try to send to it instead
                    raise
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.sendto(b"", path); got.append(("sent", path))
    except OSError:
        pass
print(json.dumps({"got": got}))
"""
