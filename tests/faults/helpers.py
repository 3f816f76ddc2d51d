"""Reading a whole topic back, and the other small pieces the fault tests share."""

from __future__ import annotations

from runtime.errors import NotFound
from runtime.topics import open_store


def all_values(topic: str) -> list[bytes]:
    """Every value in every partition of `topic` (none when it does not exist yet)."""
    store = open_store()
    try:
        try:
            info = store.describe_topic(topic)
        except NotFound:
            return []
        values: list[bytes] = []
        for part in info.partitions:
            offset = store.earliest_offset(topic, part.partition)
            latest = store.latest_offset(topic, part.partition)
            while offset < latest:
                batch = store.read(topic, part.partition, offset, 50_000)
                values.extend(r.value for r in batch)
                offset = batch[-1].offset + 1
        return values
    finally:
        store.close()


def stored_count(topic: str) -> int:
    store = open_store()
    try:
        try:
            info = store.describe_topic(topic)
        except NotFound:
            return 0
        return sum(store.latest_offset(topic, p.partition)
                   - store.earliest_offset(topic, p.partition) for p in info.partitions)
    finally:
        store.close()


def without_file_override() -> list[str]:
    """A command prefix under which file modes bind: root keeps CAP_DAC_OVERRIDE and reads
    a mode-000 file anyway, so as root the command runs without that capability (setpriv);
    as anyone else, as itself. Skips the test when root has no setpriv."""
    import os
    import shutil

    import pytest

    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to bind")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]


def run_weir_as(prefix: list[str], *args: str, input: str | None = None,
                timeout: float = 60):
    """`run_weir` under a command prefix (see without_file_override)."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    done = subprocess.run([*prefix, sys.executable, "-m", "tui.cli.main", *args],
                          input=None if input is None else input.encode(),
                          capture_output=True, timeout=timeout, env=dict(os.environ),
                          cwd=REPO, stdin=subprocess.DEVNULL if input is None else None)
    # (records on stdout may be any bytes)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode(errors="replace"),
                                       done.stderr.decode(errors="replace"))
