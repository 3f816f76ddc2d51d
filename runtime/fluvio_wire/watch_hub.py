"""Metadata watches: every Watch stream gets a full snapshot at once, then each change as
it happens, under one rising epoch.

The hub holds the current objects per label. `publish(label, objects)` compares them with
what it held, and pushes the difference (UPDATE for new or changed objects, DELETE for
removed ones, never a shorter snapshot) to every watch of that label. A change is encoded
once per protocol version, however many watches there are (a client process holds six to
nine of them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from runtime.fluvio_wire.admin import DELETE, UPDATE, Change, MetadataUpdate, encode_watch
from runtime.fluvio_wire.connection import Connection
from runtime.fluvio_wire.objects import MetadataObject


@dataclass(frozen=True, slots=True, eq=False)
class _Watch:
    connection: Connection
    correlation_id: int
    version: int


class WatchHub:
    def __init__(self) -> None:
        self.epoch = 1
        self._objects: dict[str, dict[str, MetadataObject]] = {}
        self._watches: dict[str, set[_Watch]] = {}

    def objects(self, label: str) -> list[MetadataObject]:
        return list(self._objects.get(label, {}).values())

    def watch(self, label: str, connection: Connection, correlation_id: int,
              version: int) -> None:
        """Send the snapshot now and every later change, until the connection closes."""
        watch = _Watch(connection, correlation_id, version)
        watches = self._watches.setdefault(label, set())
        watches.add(watch)
        connection.on_close(lambda: watches.discard(watch))
        snapshot = MetadataUpdate(self.epoch, all=self.objects(label))
        connection.send(correlation_id, encode_watch(label, snapshot, version))

    def publish(self, label: str, objects: Iterable[MetadataObject]) -> int:
        """Make `objects` the label's current set; push what changed. Returns the number
        of changes."""
        new = {_name(o): o for o in objects}
        old = self._objects.get(label, {})
        changes = [Change(UPDATE, o) for name, o in new.items() if old.get(name) != o]
        changes += [Change(DELETE, o) for name, o in old.items() if name not in new]
        self._objects[label] = new
        if not changes:
            return 0
        self.epoch += 1
        update = MetadataUpdate(self.epoch, changes=changes)
        encoded: dict[int, bytes] = {}
        for watch in list(self._watches.get(label, ())):
            body = encoded.get(watch.version)
            if body is None:
                body = encoded[watch.version] = encode_watch(label, update, watch.version)
            watch.connection.send(watch.correlation_id, body)
        return len(changes)


def _name(obj: MetadataObject) -> str:
    return obj.name
