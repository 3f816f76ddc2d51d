"""A source's position is stored in the same transaction as its records (append_at)."""

from __future__ import annotations

import pytest

from runtime.errors import WeirError
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec


def test_position_and_records_go_together(tmp_path):
    store = EmbeddedStore(tmp_path)
    store.create_topic(TopicSpec("t", 1))
    assert store.source_position("tail") is None  # no table yet: no position
    store.append_at("t", [ProduceRecord(b"a")], None, ("tail", "1"))
    assert store.source_position("tail") == "1"
    with pytest.raises(WeirError):  # partition 5 does not exist: nothing is stored
        store.append_at("t", [ProduceRecord(b"b")], 5, ("tail", "2"))
    assert store.source_position("tail") == "1"
    store.append_at("t", [], None, ("tail", "3"))  # a position alone
    assert store.source_position("tail") == "3"
    assert [r.value for r in store.read("t", 0, 0)] == [b"a"]
    store.close()
    reopened = EmbeddedStore(tmp_path)
    assert reopened.source_position("tail") == "3"
    assert reopened.source_position("other") is None
    reopened.close()


def test_a_failed_commit_keeps_neither(tmp_path, monkeypatch):
    """The position is written first in the transaction: a failure after it (here the
    batch insert) rolls both back."""
    store = EmbeddedStore(tmp_path)
    store.create_topic(TopicSpec("t", 1))

    def boom(*args, **kwargs):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(store, "_store_plan", boom)
    with pytest.raises(RuntimeError):
        store.append_at("t", [ProduceRecord(b"a")], None, ("tail", "9"))
    monkeypatch.undo()
    assert store.source_position("tail") is None
    assert store.read("t", 0, 0) == []
    store.close()
