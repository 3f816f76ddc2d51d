"""The docs' "Managed Connectors" walkthrough, offline: cat facts from a local HTTP
server, a managed `http` source in the legacy format with `map: catfact-map`, and
`weir consume cat-facts -B -d` shows the facts as JSON strings."""

from __future__ import annotations

import json

import pytest

from smartmodules import registry
from tests.conftest import REPO, run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import topic_values, view, write
from tests.launch.servers import CAT_FACTS, cat_facts_handler, serve

CATFACT_MAP = REPO / "examples" / "smartmodules" / "prebuilt" / "catfact_map.wasm"


@pytest.mark.integration
def test_managed_cat_facts_with_the_catfact_map(cluster, tmp_path):
    registry.create("catfact-map", CATFACT_MAP)
    with serve(cat_facts_handler) as server:
        write(tmp_path / "connect.yml", f"""\
# connect.yml
version: 0.3.0
name: cat-facts
type: http
topic: cat-facts
direction: source
parameters:
  endpoint: {server.url}/fact
  interval: 200ms
  map: "catfact-map"
""")
        created = run_weir("connector", "create", "--config=./connect.yml", cwd=tmp_path)
        assert created.returncode == 0, created.stderr

        listed = run_weir("connector", "list").stdout.splitlines()
        assert listed[0].split()[:4] == ["NAME", "TYPE", "MODE", "STATUS"]
        assert listed[1].split()[:4] == ["cat-facts", "http-source", "managed", "Running"]

        wait_for(lambda: len(topic_values("cat-facts")) >= 3, message="three facts")

    consumed = run_weir("consume", "cat-facts", "-B", "-d")
    assert consumed.returncode == 0, consumed.stderr
    lines = consumed.stdout.splitlines()
    assert len(lines) >= 3
    facts = [json.loads(line) for line in lines]  # each line is a JSON string
    assert facts[:3] == [f["fact"] for f in CAT_FACTS]
    assert all(isinstance(f, str) for f in facts)

    described = run_weir("connector", "describe", "cat-facts")
    assert described.returncode == 0, described.stderr
    config = described.stdout.split("\n\n# status")[0]
    assert config.startswith("---\n")
    for line in ("name: cat-facts", "type: http", "topic: cat-facts", "version: 0.3.0",
                 f"endpoint: {server.url}/fact", "interval: 200ms", "map: catfact-map"):
        assert line in config, line
    # Metrics are reported periodically, so they may trail the topic by a moment.
    wait_for(lambda: view("cat-facts")["metrics"]["records_out"] >= 3, message="metrics")

    deleted = run_weir("connector", "delete", "cat-facts")
    assert deleted.returncode == 0, deleted.stderr
    assert view("cat-facts") is None
