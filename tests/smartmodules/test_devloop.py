"""The dev loop: diffs between runs, source watching, samples, and the loop itself run
against the prebuilt example modules in the real engine; the watched rebuild after an edit
runs cargo (integration)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smartmodules.devloop import (
    Change,
    DevLoop,
    SourceWatcher,
    diff_outputs,
    read_samples,
    run_samples,
)
from smartmodules.templates import generate_crate
from tests.conftest import REPO

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"


def test_diff_outputs() -> None:
    assert diff_outputs(["a", "b"], ["a", "b"]) == []
    assert diff_outputs(["a", "b", "c"], ["a", "B", "c", "d"]) == [
        Change("changed", 2, 2, "b", "B"),
        Change("added", None, 4, None, "d"),
    ]
    assert diff_outputs(["a", "b", "c"], ["a", "c"]) == [Change("removed", 2, None, "b", None)]
    assert [c.kind for c in diff_outputs(["x"], ["y", "z"])] == ["changed", "added"]
    assert [c.kind for c in diff_outputs([], ["y"])] == ["added"]


def test_read_samples(tmp_path: Path) -> None:
    f = tmp_path / "s.txt"
    f.write_bytes(b"a\r\n\nc\n")
    assert read_samples(f) == [b"a", b"", b"c"]
    assert read_samples(f, raw=True) == [b"a\r\n\nc\n"]
    f.write_bytes(b"no newline")
    assert read_samples(f) == [b"no newline"]


def test_watcher_sees_edits_new_files_and_ignores_target(tmp_path: Path) -> None:
    crate = generate_crate("w", "map", sdk="none", directory=tmp_path / "w").path
    samples = tmp_path / "samples.txt"
    samples.write_text("1\n")
    watcher = SourceWatcher(crate, extra=[samples])
    assert watcher.changed() == []
    (crate / "target" / "release").mkdir(parents=True)
    (crate / "target" / "release" / "x.rs").write_text("// build output")
    (crate / "Cargo.lock").write_text("# written by cargo")
    assert watcher.changed() == []
    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\n// edited\n")
    assert watcher.changed() == [lib]
    (crate / "src" / "extra.rs").write_text("")
    assert watcher.changed() == [crate / "src" / "extra.rs"]
    samples.write_text("1\n2\n")
    assert watcher.changed() == [samples]


def test_run_samples_in_the_engine() -> None:
    out = run_samples(PREBUILT / "parse_int.wasm", [b"1", b"+2", b"", b"x", b"4"])
    assert out.lines == ["1", "2"]
    assert out.error is not None and "offset 3" in out.error
    assert "invalid digit found in string" in out.error
    agg = run_samples(PREBUILT / "concat_aggregate.wasm", [b"a", b"b"], aggregate_initial=b">")
    assert agg.lines == [">a", ">ab"] and agg.error is None
    init = run_samples(PREBUILT / "contains_filter.wasm", [b"a"])
    assert init.error is not None and "Missing param contains" in init.error


def test_loop_reports_what_changed(tmp_path: Path) -> None:
    samples = tmp_path / "samples.txt"
    samples.write_text("cat\ndog\nconcat\n")
    lines: list[str] = []
    loop = DevLoop(crate_dir=REPO / "examples" / "smartmodules" / "contains-filter",
                   samples_path=samples, emit=lines.append, params={"contains": "cat"})
    loop.artifact = PREBUILT / "contains_filter.wasm"  # as if built
    loop.rerun()
    assert lines == ["run 1: 3 samples -> 2 records", "    1  cat", "    2  concat"]
    lines.clear()
    samples.write_text("cat\ncatalog\nconcat\nbobcat\n")
    loop.rerun()
    assert lines[0] == "run 2: 4 samples -> 4 records; 0 changed, 2 added, 0 removed"
    assert lines[1:] == ["+   2  catalog", "+   4  bobcat"]
    lines.clear()
    loop.rerun()
    assert lines == ["run 3: 4 samples -> 4 records; output unchanged"]
    lines.clear()
    loop.params = {}
    loop.rerun()
    assert "4 removed" in lines[0]
    assert lines[-1].startswith("error: ") and "Missing param contains" in lines[-1]
    lines.clear()
    loop.params = {"contains": "at"}
    loop.rerun()
    assert lines[-1] == "error fixed"


@pytest.mark.integration
def test_dev_rebuilds_after_an_edit(tmp_path: Path, cargo_env) -> None:
    crate = generate_crate("devmap", "map", sdk="none", directory=tmp_path / "devmap").path
    samples = crate / "samples.txt"  # 1, 2, 21
    env = dict(os.environ, **cargo_env)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "smartmodule", "dev", str(crate),
         "--file", str(samples), "--interval", "0.2"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []

    def wait_for(text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip("\n"))
            if text in line:
                return
        raise AssertionError(f"{text!r} not seen; output so far: {seen}")

    try:
        wait_for("watching for changes")
        assert "run 1: 3 samples -> 3 records" in seen
        assert "    3  42" in seen
        lib = crate / "src" / "lib.rs"
        time.sleep(0.05)
        lib.write_text(lib.read_text().replace("(int * 2)", "(int * 10)"))
        wait_for("changed: src/lib.rs")
        wait_for("run 2:")
        assert seen[-1] == "run 2: 3 samples -> 3 records; 3 changed, 0 added, 0 removed"
        wait_for("~   3  42  ->  210")
        samples.write_text("1\n2\n21\nx\n")
        wait_for("run 3:")
        wait_for("error: ")
        assert "invalid digit found in string" in seen[-1] and "offset 3" in seen[-1]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, err
    assert "stopped" in err
