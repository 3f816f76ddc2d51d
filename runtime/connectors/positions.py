"""Where a source resumes after a restart: its position, kept with the records it made.

On the embedded store the position goes into the same SQLite transaction as the records it
follows, so a crash (even SIGKILL) keeps both or neither: on restart the source re-reads
exactly what was not stored, nothing twice and nothing lost. A store that cannot do that
(a Fluvio cluster) gets the position written to the connector's state directory right after
each append: at-least-once, a crash between the two re-produces that last batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from runtime.private_files import write_private_atomic
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicStore


class Positions:
    def __init__(self, store: TopicStore, owner: str, state_dir: Path) -> None:
        self.store = store
        self.owner = owner
        self.file = state_dir / "source-position.json"
        self.atomic = hasattr(store, "append_at")

    def load(self) -> str | None:
        if self.atomic:
            return self.store.source_position(self.owner)
        try:
            return json.loads(self.file.read_text())["position"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def append(self, topic: str, records: Sequence[ProduceRecord], partition: int | None,
               position: str) -> list[tuple[int, int]]:
        if self.atomic:
            return self.store.append_at(topic, records, partition, (self.owner, position))
        placed = self.store.append(topic, records, partition) if records else []
        write_private_atomic(self.file, json.dumps({"position": position}))
        return placed
