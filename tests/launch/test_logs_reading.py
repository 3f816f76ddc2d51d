"""Reading connector logs: --since by line timestamps, --tail, following a growing file."""

from __future__ import annotations

import calendar
import time

from runtime.launch.logs import LogFollower, line_time, read_lines


def test_line_time_formats():
    base = calendar.timegm((2026, 11, 28, 16, 30, 0, 0, 0, 0))
    assert line_time("2026-11-28T16:30:00.250Z INFO  x") == base + 0.25
    assert line_time("2026-11-28T18:30:00+02:00 x") == base
    assert line_time("[2026-11-28 16:30:00,5Z] x") == base + 0.5
    local = line_time("2026-11-28 16:30:00 x")
    assert local == time.mktime((2026, 11, 28, 16, 30, 0, 0, 0, -1))
    assert line_time("Traceback (most recent call last):") is None


def test_since_keeps_continuation_lines_and_tail(tmp_path):
    path = tmp_path / "connector.log"
    path.write_text(
        "2026-11-28T16:00:00.000Z INFO  old\n"
        "2026-11-28T16:30:00.000Z ERROR failed\n"
        "  Traceback line belonging to the error\n"
        "2026-11-28T16:31:00.000Z INFO  new\n"
        "2026-11-28T16:32:00.000Z INFO  half-writ"  # no newline yet: not shown
    )
    since = calendar.timegm((2026, 11, 28, 16, 15, 0, 0, 0, 0))
    lines, offset = read_lines(path, since=since)
    assert [line.split()[-1] for line in lines] == ["failed", "error", "new"]
    assert read_lines(path, tail=1)[0] == ["2026-11-28T16:31:00.000Z INFO  new"]
    assert read_lines(path, tail=0)[0] == []

    follower = LogFollower(path, offset)
    assert follower.poll() == []
    with path.open("a") as handle:
        handle.write("ten\n2026-11-28T16:33:00.000Z INFO  more\n")
    assert follower.poll() == ["2026-11-28T16:32:00.000Z INFO  half-written",
                               "2026-11-28T16:33:00.000Z INFO  more"]
    path.write_text("fresh\n")  # truncated (a new run): start over
    assert follower.poll() == ["fresh"]


def test_missing_file_reads_empty(tmp_path):
    assert read_lines(tmp_path / "none.log") == ([], 0)
    assert LogFollower(tmp_path / "none.log").poll() == []
