"""`weir logs`: connectors' logs and lifecycle events merged on one timeline, headless,
from real `weir connector run` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from tests.conftest import REPO, run_weir


def generator(tmp_path, name: str, count: int = 3):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(f"""\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: {name}
          type: generator-source
          topic: ticks
        generator:
          template: '{{"n": {{{{n}}}}}}'
          interval: 10ms
          count: {count}
        """))
    return path


def run_connector(tmp_path, name: str) -> None:
    result = run_weir("connector", "run", str(generator(tmp_path, name)))
    assert result.returncode == 0, result.stderr


def json_lines(*args: str) -> list[dict]:
    result = run_weir("logs", *args, "-O", "json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_logs_merge_every_connector_by_time_and_filter(tmp_path):
    run_connector(tmp_path, "gen-a")
    run_connector(tmp_path, "gen-b")
    entries = json_lines()
    assert [e["ts"] for e in entries] == sorted(e["ts"] for e in entries)
    assert {e["connector"] for e in entries} == {"gen-a", "gen-b"}
    events = json_lines("--events")
    assert [(e["connector"], e["level"]) for e in events] == [
        ("gen-a", "start"), ("gen-a", "stop"), ("gen-b", "start"), ("gen-b", "stop")]
    assert events[1]["offset"] == 2 and events[0]["topic"] == "ticks"
    assert events[0]["time"].endswith("Z")
    only_b = json_lines("--connector", "gen-b")
    assert only_b and {e["connector"] for e in only_b} == {"gen-b"}
    assert any(e["kind"] == "log" and "generator:" in e["message"] for e in only_b)

    text = run_weir("logs", "--events", "-c", "gen-a").stdout.splitlines()
    assert len(text) == 2
    assert "gen-a" in text[0] and "* START" in text[0]
    assert text[1].endswith("(offset 2)")

    missing = run_weir("logs", "--connector", "nope")
    assert missing.returncode == 1
    assert "no logs of connector `nope`" in missing.stderr and "gen-a, gen-b" in missing.stderr


def test_since_keeps_only_recent_entries(tmp_path, weir_home):
    folder = weir_home / "connectors" / "old-one"
    folder.mkdir(parents=True)
    now = int(time.time() * 1000)
    with (folder / "events.jsonl").open("w") as handle:
        for ago, event in ((3 * 3_600_000, "start"), (2 * 3_600_000, "crash"), (60_000, "restart")):
            handle.write(json.dumps({"ts": now - ago, "connector": "old-one", "event": event,
                                     "message": event}) + "\n")
    assert [e["level"] for e in json_lines("--since", "1h")] == ["restart"]
    assert [e["level"] for e in json_lines("--since", "150m")] == ["crash", "restart"]
    assert len(json_lines()) == 3
    bad = run_weir("logs", "--since", "soon")
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_follow_prints_new_connectors_as_they_run(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "logs", "-f", "--events",
                             "-O", "json"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ), text=True)
    try:
        time.sleep(0.5)  # following an empty home
        run_connector(tmp_path, "late")
        first = json.loads(proc.stdout.readline())
        second = json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert (first["connector"], first["level"]) == ("late", "start")
    assert second["level"] == "stop"
    assert err == "" and proc.returncode in (0, 130)
