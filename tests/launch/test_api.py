"""The cluster API the CLI and the TUI share, through its httpx client: topics, consume
streams (to the end, and following), SmartModules, logs that follow."""

from __future__ import annotations

import threading

import pytest

from runtime.errors import NotFound
from runtime.launch.client import ClusterClient, cluster_state
from smartmodules import registry
from tests.conftest import REPO, run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, produce, write


def test_topics_and_consume_streams(cluster):
    produce("api-topic", [f"v{i}".encode() for i in range(5)] + [b"\xff\xfe"])
    with ClusterClient.connect() as client:
        topics = {t["name"]: t for t in client.list_topics()}
        assert topics["api-topic"]["records"] == 6
        described = client.describe_topic("api-topic")
        assert described["partition_info"][0]["latest"] == 6
        with pytest.raises(NotFound):
            client.describe_topic("missing")

        records = list(client.consume("api-topic", from_beginning=True, follow=False))
        assert [r["value"] for r in records[:5]] == [f"v{i}" for i in range(5)]
        assert records[5]["encoding"] == "base64" and records[5]["value"] == "//4="
        assert [r["offset"] for r in records] == list(range(6))
        tail = list(client.consume("api-topic", tail=2, follow=False))
        assert [r["offset"] for r in tail] == [4, 5]
        assert list(client.consume("api-topic", follow=False)) == []  # from the end

    seen: list[str] = []

    def follow() -> None:
        with ClusterClient.connect() as client:
            for record in client.consume("api-topic", offset=6):
                seen.append(record["value"])
                if len(seen) == 3:
                    return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    produce("api-topic", [b"late-1", b"late-2", b"late-3"])
    reader.join(timeout=30)
    assert seen == ["late-1", "late-2", "late-3"]


def test_smartmodules_and_followed_logs(cluster, tmp_path):
    registry.create("catfact-map", REPO / "examples/smartmodules/prebuilt/catfact_map.wasm")
    with ClusterClient.connect() as client:
        names = [m["name"] for m in client.list_smartmodules()]
        assert "catfact-map" in names

    config = write(tmp_path / "g.yaml", generator_config("chatty", "chatty", rate=5))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    lines: list[str] = []

    def follow() -> None:
        with ClusterClient.connect() as client:
            for line in client.logs("chatty", follow=True):
                lines.append(line)
                if "restarted by the user" in line:
                    return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    wait_for(lambda: lines, message="first log lines")
    assert run_weir("connector", "restart", "chatty").returncode == 0
    reader.join(timeout=30)
    assert any("restarted by the user" in line for line in lines)
    assert cluster_state() == "running"


def test_cluster_state_word(weir_home):
    assert cluster_state() == "stopped"
