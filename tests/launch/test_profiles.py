"""`weir profile ...` as a user types it."""

from __future__ import annotations

import json

from tests.conftest import run_weir


def test_add_switch_current_delete(tmp_path):
    assert run_weir("profile", "current").stdout.strip() == "local"
    data_dir = tmp_path / "other-store"
    added = run_weir("profile", "add", "other", "--data-dir", str(data_dir))
    assert added.returncode == 0, added.stderr
    fluvio = run_weir("profile", "add", "prod", "--fluvio", "127.0.0.1:9003")
    assert fluvio.returncode == 0, fluvio.stderr

    listed = json.loads(run_weir("profile", "list", "-O", "json").stdout)
    by_name = {p["name"]: p for p in listed}
    assert by_name["local"]["current"] is True
    assert by_name["other"] == {"name": "other", "kind": "embedded", "target": str(data_dir),
                                "data_dir": str(data_dir), "endpoint": None,
                                "current": False}
    assert by_name["prod"]["kind"] == "fluvio" and by_name["prod"]["target"] == "127.0.0.1:9003"

    switched = run_weir("profile", "switch", "other")
    assert switched.returncode == 0 and "switched to profile `other`" in switched.stderr
    assert run_weir("profile", "current").stdout.strip() == "other"
    table = run_weir("profile", "list").stdout
    assert any(line.split()[:2] == ["*", "other"] for line in table.splitlines())

    overridden = run_weir("profile", "current", env={"WEIR_PROFILE": "prod"})
    assert overridden.stdout.strip() == "prod" and "WEIR_PROFILE" in overridden.stderr

    deleted = run_weir("profile", "delete", "other")
    assert deleted.returncode == 0 and "now `local`" in deleted.stderr
    assert run_weir("profile", "current").stdout.strip() == "local"


def test_bad_input_is_refused_clearly():
    both = run_weir("profile", "add", "x", "--data-dir", "/tmp/a", "--fluvio", "h:1")
    assert both.returncode == 2 and "exactly one" in both.stderr
    neither = run_weir("profile", "add", "x")
    assert neither.returncode == 2
    endpoint = run_weir("profile", "add", "x", "--fluvio", "no-port")
    assert endpoint.returncode == 1 and "HOST:PORT" in endpoint.stderr
    name = run_weir("profile", "add", "bad name!", "--data-dir", "/tmp/a")
    assert name.returncode == 1 and "invalid profile name" in name.stderr
    assert run_weir("profile", "add", "local", "--data-dir", "/tmp/a").returncode == 1
    missing = run_weir("profile", "switch", "nope")
    assert missing.returncode == 1 and "not found" in missing.stderr
    local = run_weir("profile", "delete", "local")
    assert local.returncode == 1 and "cannot be deleted" in local.stderr
    for result in (both, neither, endpoint, name, missing, local):
        assert "Traceback" not in result.stderr
