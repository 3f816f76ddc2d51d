"""Lines about misbehaving clients are rate-limited, and say how many were left out."""

from __future__ import annotations

import logging

from runtime.fluvio_wire import log_limit


def test_a_flood_of_lines_is_cut_to_the_burst_then_counted(caplog, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(log_limit.time, "monotonic", lambda: clock[0])
    limited = log_limit.LimitedLog(burst=3, window_s=60)
    with caplog.at_level(logging.INFO, logger="weir.fluvio"):
        for i in range(100):
            limited(logging.INFO, "garbage from client %d", i)
        assert [r.getMessage() for r in caplog.records] == [
            "garbage from client 0", "garbage from client 1", "garbage from client 2"]
        clock[0] += 61
        limited(logging.INFO, "garbage from client %d", 100)
    assert [r.getMessage() for r in caplog.records][3:] == [
        "fluvio: 97 more lines like these were left out", "garbage from client 100"]
