"""`-O json` on the verbs that act on connectors and the cluster: one JSON object each,
parsed as a script would (the schemas are in README.md, "JSON output")."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_weir
from tests.launch.helpers import generator_config, write


def obj(*args: str, code: int = 0) -> dict:
    result = run_weir(*args, "-O", "json", timeout=120)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)  # exactly one document, nothing else on stdout


@pytest.mark.integration
def test_cluster_and_connector_verbs_print_one_object(tmp_path, weir_home):
    started = obj("cluster", "start")
    assert started["command"] == "cluster start" and started["started"] is True
    assert started["url"].startswith("http://127.0.0.1:") and started["pid"] > 0
    assert obj("cluster", "start")["started"] is False

    config = write(tmp_path / "ticker.yaml", generator_config("json-ticker", "ticks"))
    created = obj("connector", "create", "--config", str(config))
    assert created["command"] == "connector create"
    assert (created["connector"], created["mode"], created["topic"], created["profile"]) == (
        "json-ticker", "managed", "ticks", "local")
    assert created["status"] in ("Starting", "Running")
    assert created["cluster_started"] is None and created["warnings"] == []
    assert "json-ticker" in created["message"]

    for verb in ("stop", "start", "restart"):
        done = obj("connector", verb, "json-ticker")
        assert done["command"] == f"connector {verb}"
        (one,) = done["connectors"]
        assert (one["connector"], one["mode"]) == ("json-ticker", "managed")
        assert set(one) == {"connector", "mode", "changed", "message", "cluster_started"}

    missing = obj("connector", "stop", "no-such-connector", code=1)
    assert missing["error"]["code"] == "not-found"
    assert "no-such-connector" in missing["error"]["message"]

    deleted = obj("connector", "delete", "json-ticker")
    assert deleted["command"] == "connector delete"
    assert [c["connector"] for c in deleted["connectors"]] == ["json-ticker"]

    stopped = obj("cluster", "stop")
    assert stopped == {"command": "cluster stop", "was_running": True,
                       "stopped_connectors": []}
    assert obj("cluster", "stop")["was_running"] is False
