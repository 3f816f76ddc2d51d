"""A topics.db found empty, missing or cut short where a store was created is reported
(exit 2, naming the file), never silently taken for a new empty store: SQLite opens a
missing or zero-length file as an empty database, so the marker beside it says one was
there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runtime.topics.embedded import MARKER_NAME
from tests.conftest import run_weir

VERBS = (("topic", "list"), ("consume", "events", "-B", "-d"), ("produce", "events"))


@pytest.fixture
def store(weir_home) -> Path:
    assert run_weir("topic", "create", "events").returncode == 0
    assert run_weir("produce", "events", input="".join(f"r{i}\n" for i in range(2000))
                    ).returncode == 0
    data = weir_home / "data"
    assert stat.S_IMODE(os.stat(data / MARKER_NAME).st_mode) == 0o600
    return data


def _lose(data: Path, size: int | None) -> None:
    db = data / "topics.db"
    for extra in ("topics.db-wal", "topics.db-shm"):
        (data / extra).unlink(missing_ok=True)
    if size is None:
        db.unlink()
    else:
        os.truncate(db, size)


@pytest.mark.parametrize("size", [0, None], ids=["emptied", "deleted"])
def test_an_emptied_or_deleted_store_is_reported_not_started_over(store, size):
    _lose(store, size)
    what = "is missing" if size is None else "is empty (0 bytes)"
    for verb in VERBS:
        done = run_weir(*verb, input="more\n")
        assert done.returncode == 2, (verb, done.stdout, done.stderr)
        assert f"the topic store {store / 'topics.db'} {what}" in done.stderr
        assert MARKER_NAME in done.stderr and "Traceback" not in done.stderr
    # Nothing was written where the records were.
    db = store / "topics.db"
    assert (not db.exists()) if size is None else db.stat().st_size == 0


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.99])
def test_a_store_cut_short_is_reported_as_corrupt(store, fraction):
    size = (store / "topics.db").stat().st_size
    _lose(store, max(1, int(size * fraction)))
    done = run_weir("consume", "events", "-B", "-d")
    assert done.returncode == 2, done.stderr
    assert f"the topic store {store / 'topics.db'} is corrupt" in done.stderr


def test_a_store_from_an_older_weir_gets_its_marker_on_first_open(store):
    (store / MARKER_NAME).unlink()
    assert run_weir("topic", "list").returncode == 0
    assert (store / MARKER_NAME).is_file()
    _lose(store, 0)
    assert run_weir("topic", "list").returncode == 2


def test_starting_over_as_the_hint_says_gives_a_new_empty_store(store):
    _lose(store, 0)
    hint = run_weir("topic", "list").stderr
    assert "move" in hint and "aside and delete" in hint
    (store / "topics.db").rename(store / "topics.db.lost")
    (store / MARKER_NAME).unlink()
    fresh = run_weir("topic", "list")
    assert fresh.returncode == 0 and "no topics" in fresh.stdout + fresh.stderr
