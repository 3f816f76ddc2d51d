"""One spelling of sizes and counts across every command and the workbench."""

from __future__ import annotations

import pytest

from runtime.human import human_size, plural


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"),
    (10_000_000, "9.5 MiB"), (5 * 1024**3, "5 GiB"), (None, "unlimited"),
])
def test_sizes_in_binary_units(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize(("count", "word", "text"), [
    (1, "batch", "1 batch"), (2, "batch", "2 batches"), (0, "record", "0 records"),
    (1, "partition", "1 partition"), (3, "stage", "3 stages"), (2, "index", "2 indexes"),
])
def test_plurals(count, word, text):
    assert plural(count, word) == text


def test_topic_describe_and_produce_speak_the_same(tmp_path):
    from tests.conftest import run_weir

    assert run_weir("topic", "create", "sized").returncode == 0
    produced = run_weir("produce", "sized", "-v", input="x" * 2000 + "\n")
    assert produced.returncode == 0, produced.stderr
    assert "produced 1 record in 1 batch" in produced.stderr
    described = run_weir("topic", "describe", "sized").stdout
    assert "KiB" in described and "KB" not in described and "kB" not in described


def test_no_message_hedges_its_plural():
    """`1 record(s)` reads as a shrug: every count goes through plural()."""
    import re

    from tests.conftest import REPO
    from tests.test_hint_commands import SOURCES, _strings

    hedged = [f"{path.relative_to(REPO)}:{line}: {text!r}"
              for root in SOURCES for path in sorted((REPO / root).rglob("*.py"))
              for text, line in _strings(path) if re.search(r"[a-z]\(s\)", text)]
    assert hedged == []
