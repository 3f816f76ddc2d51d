"""Several stores over one topics.db in one process (the cluster daemon: its Fluvio
endpoint keeps one open while each API request opens another) stay readable while other
processes write: opening a store must not drop the POSIX locks SQLite holds for another
connection in the same process, which SQLite then reports as a malformed database."""

from __future__ import annotations

import subprocess
import sys

from runtime.topics.embedded import EmbeddedStore
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec
from tests.conftest import REPO

WRITER = """
import sys
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.record import ProduceRecord
store = EmbeddedStore(sys.argv[1])
store.append("t", [ProduceRecord(b"y" * 1000)] * 200)
store.close()
"""


def test_a_second_store_in_the_process_leaves_the_first_readable(tmp_path):
    first = EmbeddedStore(tmp_path)
    first.create_topic(TopicSpec("t"))
    first.append("t", [ProduceRecord(b"x")])
    try:
        for round_ in range(20):
            second = EmbeddedStore(tmp_path)
            subprocess.run([sys.executable, "-c", WRITER, str(tmp_path)], check=True,
                           cwd=REPO)
            second.close()
            assert first.latest_offset("t", 0) == 1 + 200 * (round_ + 1)
            assert len(first.read("t", 0, 0, 100_000)) == 1 + 200 * (round_ + 1)
    finally:
        first.close()
